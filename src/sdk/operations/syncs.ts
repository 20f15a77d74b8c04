import { ValidationError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type { JobSnapshot } from '../types.js';
import { isCalendarDate, latestCurrentDate } from '../validation/fields.js';
import { startJob, type KickoffOptions, type StartedJob } from './kickoff.js';

/** Tables a warehouse sync can copy (all of them when `tables` is omitted). */
export const SYNC_TABLES = ['incidents', 'inspections', 'capas', 'observations', 'sites', 'users', 'audit_log'] as const;
export type SyncTable = (typeof SYNC_TABLES)[number];

/** A warehouse connection name as configured in the tenant's settings, e.g. `snowflake-prod`. */
export const WAREHOUSE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface SyncOptions {
  /** Name of a configured warehouse connection. Unknown connections are refused by the server (422). */
  warehouse: string;
  /** Tables to copy; all SYNC_TABLES when omitted. */
  tables?: SyncTable[];
  /** Backfill: copy rows dated on or after this day (YYYY-MM-DD) instead of an initial full sync. */
  backfillFrom?: string;
}

/** A problem with sync options: which option and why, so a CLI can name its own flag. */
export interface SyncOptionProblem {
  field: 'warehouse' | 'tables' | 'backfillFrom';
  message: string;
}

/** Where one table of a sync ended (`result.tables[]`). A cancelled sync keeps `done` tables; `partial` ones are incomplete. */
export interface SyncTableResult {
  name: string;
  phase: 'done' | 'partial' | 'pending' | (string & {});
  rowsSynced: number;
  rowEstimate: number;
}

/** `result` of a finished (or cancelled) sync job. */
export interface SyncResult {
  warehouse: string;
  backfillFrom: string | null;
  tables: SyncTableResult[];
  rowsSynced: number;
}

/** Local checks of `SyncOptions`; `now` decides what "in the future" means. */
export function checkSyncOptions(options: SyncOptions, now: Date = new Date()): SyncOptionProblem | undefined {
  if (!WAREHOUSE_NAME_PATTERN.test(options.warehouse)) {
    return {
      field: 'warehouse',
      message: `"${options.warehouse}" is not a connection name (lower-case letters, digits, - and _, e.g. snowflake-prod)`,
    };
  }
  if (options.tables !== undefined) {
    if (options.tables.length === 0) return { field: 'tables', message: `is empty: name at least one of ${SYNC_TABLES.join(', ')}` };
    const unknown = options.tables.find((t) => !(SYNC_TABLES as readonly string[]).includes(t));
    if (unknown !== undefined) return { field: 'tables', message: `"${unknown}" is not a table (expected: ${SYNC_TABLES.join(', ')})` };
  }
  if (options.backfillFrom !== undefined) {
    if (!isCalendarDate(options.backfillFrom)) {
      return { field: 'backfillFrom', message: `"${options.backfillFrom}" is not a calendar date in the form YYYY-MM-DD` };
    }
    if (options.backfillFrom > latestCurrentDate(now)) return { field: 'backfillFrom', message: `${options.backfillFrom} is in the future` };
  }
  return undefined;
}

/** The sync result of a finished job's snapshot, when it has one. */
export function syncResultOf(snapshot: JobSnapshot): SyncResult | undefined {
  const result = snapshot.result as Partial<SyncResult> | undefined;
  return result && Array.isArray(result.tables) ? (result as SyncResult) : undefined;
}

/** Data-warehouse initial sync and backfill (POST /api/v1/warehouse-syncs); progress per table in `snapshot.parts`. */
export class Syncs {
  constructor(private readonly http: HttpClient) {}

  /** Checks the options locally (ValidationError, nothing sent), then starts the sync job. */
  async start(options: SyncOptions, kickoff: KickoffOptions = {}): Promise<StartedJob> {
    const problem = checkSyncOptions(options);
    if (problem) throw new ValidationError(`Invalid sync ${problem.field}: ${problem.message}`, { code: 'invalid_request' });
    const body: Record<string, unknown> = { warehouse: options.warehouse };
    if (options.tables !== undefined) body.tables = [...new Set(options.tables)];
    if (options.backfillFrom !== undefined) body.backfillFrom = options.backfillFrom;
    return startJob(this.http, '/api/v1/warehouse-syncs', body, kickoff);
  }
}
