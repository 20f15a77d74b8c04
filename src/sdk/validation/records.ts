// Local validation of `qehs import` files, so a bad file is rejected with file:line: field before anything is sent.
import { validateSource, type ColumnRules } from './columns.js';
import { isCalendarDate, isEmail, latestCurrentDate } from './fields.js';
import { quoteValue, type ValidationResult } from './problems.js';
import { readRecords, type RecordFormat, type RecordStream, type SourceRecord } from './source.js';

export { readRecords, recordsFromStream, detectFormat, InputFormatError, RECORD_FORMATS } from './source.js';
export type { RecordFormat, RecordStream, SourceRecord, CsvHeader } from './source.js';

export const ENTITIES = ['incidents', 'inspections', 'capas', 'observations'] as const;
export type Entity = (typeof ENTITIES)[number];

export const IMPORT_MODES = ['create', 'update', 'delete'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export interface RecordValidationOptions {
  entity: Entity;
  mode: ImportMode;
  /** Reference time for "not in the future" (inject in tests). */
  now?: Date;
}

interface CheckContext {
  now: Date;
}
/** Returns a problem message for a present, non-empty (trimmed) value, or null when it is fine. */
type Check = (value: string, ctx: CheckContext) => string | null;

interface FieldRule {
  /** Must be present and non-empty on create. */
  required: boolean;
  check: Check;
}

interface EntitySchema {
  fields: Record<string, FieldRule>;
  /** Rules across fields; receives only fields that are present and individually valid. */
  crossCheck?: (values: Record<string, string>, ctx: CheckContext) => { field: string; message: string }[];
}

const text =
  (max: number): Check =>
  (v) =>
    v.length > max ? `must be at most ${max} characters (got ${v.length})` : null;

const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    values.includes(v) ? null : `${quoteValue(v)} is not one of ${values.join('|')}`;

const email: Check = (v) => (isEmail(v) ? null : `${quoteValue(v)} is not a valid email address`);

const calendarDate: Check = (v) => (isCalendarDate(v) ? null : `${quoteValue(v)} is not a real date in YYYY-MM-DD form`);

const pastDate: Check = (v, ctx) =>
  calendarDate(v, ctx) ?? (v > latestCurrentDate(ctx.now) ? `${v} is in the future` : null);

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const recordId: Check = (v) =>
  ID_PATTERN.test(v) ? null : `${quoteValue(v)} is not a valid id (letters, digits, _ . : -; at most 128 characters)`;

const req = (check: Check): FieldRule => ({ required: true, check });
const opt = (check: Check): FieldRule => ({ required: false, check });

// Columns follow the export CSV layout (entity,id,site,title,status,date,severity,owner,description);
// capas add due_date. `entity` and `id` are handled by mode, not by these rules.
const SITE = req(text(100));
const TITLE = req(text(200));
const DESCRIPTION = opt(text(10_000));

const SCHEMAS: Record<Entity, EntitySchema> = {
  incidents: {
    fields: {
      site: SITE,
      title: TITLE,
      status: req(oneOf(['open', 'investigating', 'closed'])),
      date: req(pastDate), // when it happened
      severity: req(oneOf(SEVERITIES)),
      owner: req(email),
      description: DESCRIPTION,
    },
  },
  inspections: {
    fields: {
      site: SITE,
      title: TITLE,
      status: req(oneOf(['scheduled', 'in_progress', 'completed', 'cancelled'])),
      date: req(calendarDate), // scheduled or performed date: may be ahead
      severity: opt(oneOf(SEVERITIES)), // worst finding, if any
      owner: req(email), // inspector
      description: DESCRIPTION,
    },
    crossCheck: (v, ctx) =>
      v.status === 'completed' && v.date !== undefined && v.date > latestCurrentDate(ctx.now)
        ? [{ field: 'date', message: `a completed inspection cannot be dated in the future (${v.date})` }]
        : [],
  },
  capas: {
    fields: {
      site: SITE,
      title: TITLE,
      status: req(oneOf(['open', 'in_progress', 'done', 'verified'])),
      date: req(pastDate), // raised on
      due_date: req(calendarDate),
      severity: opt(oneOf(SEVERITIES)),
      owner: req(email), // action owner
      description: DESCRIPTION,
    },
    crossCheck: (v) =>
      v.date !== undefined && v.due_date !== undefined && v.due_date < v.date
        ? [{ field: 'due_date', message: `due date ${v.due_date} is before the date raised ${v.date}` }]
        : [],
  },
  observations: {
    fields: {
      site: SITE,
      title: TITLE,
      status: req(oneOf(['open', 'closed'])),
      date: req(pastDate),
      severity: opt(oneOf(SEVERITIES)),
      owner: opt(email), // observations may be reported anonymously
      description: DESCRIPTION,
    },
  },
};

/** Column names accepted for an entity, in export order. */
export function entityColumns(entity: Entity): string[] {
  return ['entity', 'id', ...Object.keys(SCHEMAS[entity].fields)];
}

function columnRules(entity: Entity, mode: ImportMode): ColumnRules {
  const schema = SCHEMAS[entity];
  const required =
    mode === 'create' ? Object.keys(schema.fields).filter((f) => schema.fields[f]!.required) : ['id'];
  return { known: new Set(entityColumns(entity)), required };
}

/**
 * Validates import records for one entity and mode:
 * - create: schema-required fields present; `id` must be empty (the server assigns ids — an id here usually
 *   means the file was meant for --mode update).
 * - update: `id` required; other fields optional (empty = unchanged) but validated when given.
 * - delete: only `id` is required and checked; other known columns are ignored.
 * An `entity` column, as in export files, must name this entity when filled. Unknown columns are reported.
 * Duplicate ids are not detected here (that would need memory proportional to the file).
 */
export async function validateRecords(
  records: AsyncIterable<SourceRecord> & { header?: RecordStream['header'] },
  options: RecordValidationOptions,
): Promise<ValidationResult> {
  const { entity, mode } = options;
  const ctx: CheckContext = { now: options.now ?? new Date() };
  const schema = SCHEMAS[entity];

  return validateSource(records, columnRules(entity, mode), ({ line, record }, columns, problems) => {
    const report = (field: string, message: string) => problems.add({ line, field, message });
    // The trimmed value; undefined when absent or empty; false when of the wrong type (already reported).
    const present = (field: string): string | undefined | false => {
      const raw = record[field];
      if (raw === undefined || raw === null) return undefined;
      if (typeof raw !== 'string') {
        report(field, `must be a string (got ${Array.isArray(raw) ? 'array' : typeof raw})`);
        return false;
      }
      const value = raw.trim();
      return value === '' ? undefined : value;
    };
    const missing = (field: string) => {
      if (!columns.missingColumns.has(field)) report(field, 'is required');
    };

    const entityName = present('entity');
    if (entityName && entityName !== entity && `${entityName}s` !== entity) {
      report('entity', `${quoteValue(entityName)} does not match --entity ${entity}`);
    }

    const id = present('id');
    if (id === false) {
      // wrong type, already reported
    } else if (mode === 'create') {
      if (id !== undefined) report('id', 'must be empty for --mode create (the server assigns ids; use --mode update to change existing records)');
    } else if (id === undefined) {
      missing('id');
    } else {
      const message = recordId(id, ctx);
      if (message) report('id', message);
    }
    if (mode === 'delete') return;

    const valid: Record<string, string> = {};
    for (const [field, rule] of Object.entries(schema.fields)) {
      const value = present(field);
      if (value === false) continue;
      if (value === undefined) {
        if (mode === 'create' && rule.required) missing(field);
        continue;
      }
      const message = rule.check(value, ctx);
      if (message) report(field, message);
      else valid[field] = value;
    }
    for (const p of schema.crossCheck?.(valid, ctx) ?? []) report(p.field, p.message);
  });
}

/** readRecords + validateRecords. The format comes from the extension unless given. */
export function validateRecordFile(
  path: string,
  options: RecordValidationOptions & { format?: RecordFormat },
): Promise<ValidationResult> {
  return validateRecords(readRecords(path, options.format), options);
}
