// Local validation of SCIM members files (`qehs scim`): CSV or NDJSON (or a JSON array) of
// userName, emails, externalId, givenName?, familyName?.
import { validateSource } from './columns.js';
import { isEmail } from './fields.js';
import { quoteValue, type ValidationResult } from './problems.js';
import { readRecords, type RecordFormat, type RecordStream, type SourceRecord } from './source.js';

export const SCIM_MEMBER_COLUMNS = ['userName', 'emails', 'externalId', 'givenName', 'familyName'] as const;

const NAME_MAX = 256;

/**
 * Checks every member: userName required and unique within the file (case-insensitively, as SCIM's userName is
 * caseExact=false), at least one valid email (`a@x.com;b@x.com` in CSV; in JSON a string, an array of strings or
 * SCIM `[{value: ...}]`), externalId optional but unique (case-sensitive) when present.
 * Keeps one map entry per member to find duplicates: members files are directory-sized, not GiB-sized.
 */
export function validateScimMembers(
  records: AsyncIterable<SourceRecord> & { header?: RecordStream['header'] },
): Promise<ValidationResult> {
  const userNames = new Map<string, number>();
  const externalIds = new Map<string, number>();

  return validateSource(
    records,
    { known: new Set(SCIM_MEMBER_COLUMNS), required: ['userName', 'emails'] },
    ({ line, record }, columns, problems) => {
      const report = (field: string, message: string) => problems.add({ line, field, message });
      // Trimmed value; undefined when absent/empty; false when of the wrong type (already reported).
      const text = (field: string): string | undefined | false => {
        const raw = record[field];
        if (raw === undefined || raw === null) return undefined;
        if (typeof raw !== 'string') {
          report(field, `must be a string (got ${typeof raw})`);
          return false;
        }
        const value = raw.trim();
        if (value.length > NAME_MAX) report(field, `must be at most ${NAME_MAX} characters`);
        return value === '' ? undefined : value;
      };

      const userName = text('userName');
      if (userName === undefined) {
        if (!columns.missingColumns.has('userName')) report('userName', 'is required');
      } else if (userName === false) {
        // wrong type, already reported
      } else if (/[\s\p{Cc}]/u.test(userName)) {
        report('userName', `${quoteValue(userName)} must not contain spaces or control characters`);
      } else {
        const key = userName.toLowerCase();
        const first = userNames.get(key);
        if (first !== undefined) report('userName', `duplicate userName ${quoteValue(userName)} (first on line ${first})`);
        else userNames.set(key, line);
      }

      const externalId = text('externalId');
      if (externalId) {
        const first = externalIds.get(externalId);
        if (first !== undefined) report('externalId', `duplicate externalId ${quoteValue(externalId)} (first on line ${first})`);
        else externalIds.set(externalId, line);
      }

      text('givenName');
      text('familyName');

      const emails = emailList(record.emails);
      if (typeof emails === 'string') {
        report('emails', emails);
      } else if (emails.length === 0) {
        if (!columns.missingColumns.has('emails')) report('emails', 'at least one email is required');
      } else {
        for (const address of emails) {
          if (!isEmail(address)) report('emails', `${quoteValue(address)} is not a valid email address`);
        }
      }
    },
  );
}

/** The member's addresses, or a problem message when the value has the wrong shape. */
function emailList(raw: unknown): string[] | string {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') return splitEmails(raw);
  if (!Array.isArray(raw)) return 'must be a string or an array of emails';
  const out: string[] = [];
  for (const entry of raw) {
    const value = typeof entry === 'string' ? entry : (entry as { value?: unknown } | null)?.value;
    if (typeof value !== 'string') return 'each email must be a string or an object with a string "value"';
    out.push(value.trim());
  }
  return out;
}

function splitEmails(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** readRecords + validateScimMembers. */
export function validateScimMembersFile(path: string, format?: RecordFormat): Promise<ValidationResult> {
  return validateScimMembers(readRecords(path, format));
}
