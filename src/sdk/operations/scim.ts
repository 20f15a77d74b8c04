import { ValidationError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type { JobSnapshot } from '../types.js';
import type { RecordFormat } from '../validation/source.js';
import { startJob, type KickoffOptions, type StartedJob } from './kickoff.js';

/** One member to provision, as sent in POST /api/v1/scim/provisioning. */
export interface ScimMember {
  userName: string;
  emails: string[];
  externalId?: string;
  givenName?: string;
  familyName?: string;
}

export interface ScimProvisionRequest {
  /** The SCIM group the members are added to. */
  groupId: string;
  members: ScimMember[];
}

/** A member the job could not apply (`result.failures[]`), e.g. code `user_name_taken` or `email_domain_blocked`. */
export interface ScimMemberFailure {
  userName: string;
  code: string;
  message: string;
}

/** `result` of a provisioning job. `failures` may be capped; `failed` counts them all. */
export interface ScimResult {
  groupId: string;
  members: number;
  applied: number;
  failed: number;
  failures: ScimMemberFailure[];
  /** Set on a cancelled job: members never reached (chunks already applied stay applied). */
  notProcessed?: number;
}

export const GROUP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Checks a request's shape (not each member: validate files with validateScimMembersFile); a message or undefined. */
export function checkScimRequest(request: ScimProvisionRequest): string | undefined {
  if (!GROUP_ID_PATTERN.test(request.groupId)) {
    return `group id "${request.groupId}" must be 1-128 letters, digits, _ . : - (starting with a letter or digit)`;
  }
  if (request.members.length === 0) return 'there are no members to provision';
  return undefined;
}

/**
 * Reads a members file (CSV, NDJSON or JSON array) into request members. Run validateScimMembersFile first: this
 * only normalizes (trims, splits `a@x;b@x`, accepts SCIM `[{value}]` emails) and skips unreadable records.
 */
export async function loadScimMembers(path: string, format?: RecordFormat): Promise<ScimMember[]> {
  const { readRecords } = await import('../validation/source.js'); // csv-parse loads only when a file is read
  const members: ScimMember[] = [];
  for await (const item of readRecords(path, format)) {
    if (item.error) continue;
    const member = toMember(item.record);
    if (member) members.push(member);
  }
  return members;
}

function toMember(record: Record<string, unknown>): ScimMember | undefined {
  const text = (field: string): string | undefined => {
    const value = record[field];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const userName = text('userName');
  if (!userName) return undefined;
  const member: ScimMember = { userName, emails: emailsOf(record.emails) };
  for (const field of ['externalId', 'givenName', 'familyName'] as const) {
    const value = text(field);
    if (value !== undefined) member[field] = value;
  }
  return member;
}

function emailsOf(raw: unknown): string[] {
  const values = typeof raw === 'string' ? raw.split(';') : Array.isArray(raw) ? raw.map((e) => (typeof e === 'string' ? e : (e as { value?: unknown } | null)?.value)) : [];
  return values.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
}

/** The provisioning result of a finished job's snapshot, when it has one. */
export function scimResultOf(snapshot: JobSnapshot): ScimResult | undefined {
  const result = snapshot.result as Partial<ScimResult> | undefined;
  return result && typeof result.applied === 'number' && Array.isArray(result.failures) ? (result as ScimResult) : undefined;
}

/** SCIM large-group provisioning (POST /api/v1/scim/provisioning): members applied in chunks, per-member failures in the result. */
export class Scim {
  constructor(private readonly http: HttpClient) {}

  async provision(request: ScimProvisionRequest, kickoff: KickoffOptions = {}): Promise<StartedJob> {
    const problem = checkScimRequest(request);
    if (problem) throw new ValidationError(`Invalid SCIM provisioning request: ${problem}`, { code: 'invalid_request' });
    return startJob(this.http, '/api/v1/scim/provisioning', { groupId: request.groupId, members: request.members }, kickoff);
  }
}
