// POST /api/v1/warehouse-syncs: initial sync or backfill of the tenant's tables to a named warehouse connection.
// Tables are copied one after another; each snapshot carries per-table progress in `parts`. A cancelled sync keeps
// the tables it completed and reports the one it was copying as `partial`.
import { SYNC_TABLES, type SyncResult, type SyncTableResult } from '../../sdk/operations/syncs.js';
import type { JobPart } from '../../sdk/types.js';
import { isCalendarDate } from '../../sdk/validation/fields.js';
import { ENTITIES, type EntityName, type TenantData } from '../tenant-data.js';
import type { OperationDefinition, OperationJob, PhaseView, Validation } from './types.js';

/** Warehouse connections every sandbox tenant has configured. */
export const SANDBOX_WAREHOUSES = ['snowflake-prod', 'bigquery-analytics', 'redshift-staging'] as const;

export interface SyncParams {
  warehouse: string;
  tables: string[];
  backfillFrom: string | null;
}

/** Rows in the sandbox's dimension tables and audit entries per record (dimension tables are always copied whole). */
const USERS_ROWS = 40;
const AUDIT_ENTRIES_PER_RECORD = 2;

function validateSync(body: Record<string, unknown>): Validation<SyncParams> {
  const { warehouse, tables, backfillFrom } = body;
  if (typeof warehouse !== 'string' || warehouse === '') {
    return { ok: false, field: 'warehouse', detail: '"warehouse" is required: the name of a warehouse connection' };
  }
  if (!(SANDBOX_WAREHOUSES as readonly string[]).includes(warehouse)) {
    return {
      ok: false,
      field: 'warehouse',
      detail: `No warehouse connection named "${warehouse.slice(0, 64)}" (configured: ${SANDBOX_WAREHOUSES.join(', ')})`,
    };
  }
  let selected: string[] = [...SYNC_TABLES];
  if (tables !== undefined && tables !== null) {
    if (!Array.isArray(tables) || tables.length === 0 || !tables.every((t) => typeof t === 'string')) {
      return { ok: false, field: 'tables', detail: '"tables" must be a non-empty array of table names' };
    }
    const unknown = tables.find((t) => !(SYNC_TABLES as readonly string[]).includes(t));
    if (unknown !== undefined) {
      return { ok: false, field: 'tables', detail: `Unknown table "${String(unknown).slice(0, 64)}" (known: ${SYNC_TABLES.join(', ')})` };
    }
    selected = [...new Set(tables as string[])];
  }
  if (backfillFrom !== undefined && backfillFrom !== null && (typeof backfillFrom !== 'string' || !isCalendarDate(backfillFrom))) {
    return { ok: false, field: 'backfillFrom', detail: '"backfillFrom" must be a calendar date YYYY-MM-DD' };
  }
  return { ok: true, params: { warehouse, tables: selected, backfillFrom: (backfillFrom as string | undefined) ?? null } };
}

/** Row estimate of each selected table for this tenant (a backfill only copies dated rows on or after its date). */
function rowEstimates(data: TenantData, params: SyncParams): { name: string; rows: number }[] {
  const since = params.backfillFrom;
  const dated = (entity: EntityName) => data[entity].filter((r) => since === null || r.date >= since).length;
  const recordRows = ENTITIES.reduce((n, entity) => n + dated(entity), 0);
  return params.tables.map((name) => {
    if ((ENTITIES as readonly string[]).includes(name)) return { name, rows: dated(name as EntityName) };
    if (name === 'sites') return { name, rows: new Set(ENTITIES.flatMap((e) => data[e].map((r) => r.site))).size };
    if (name === 'users') return { name, rows: USERS_ROWS };
    return { name, rows: recordRows * AUDIT_ENTRIES_PER_RECORD };
  });
}

/** Where every table is when `fraction` of all rows are copied (tables in order). */
function tableStates(tables: { name: string; rows: number }[], fraction: number, status: PhaseView['status']): SyncTableResult[] {
  const totalRows = tables.reduce((n, t) => n + t.rows, 0);
  const copied = status === 'succeeded' ? totalRows : Math.floor(totalRows * Math.max(0, Math.min(1, fraction)));
  const ended = status === 'cancelled' || status === 'failed';
  let end = 0;
  let activeSeen = false; // the first incomplete table is the one being copied; later ones wait
  return tables.map(({ name, rows }) => {
    const begin = end;
    end += rows;
    const rowsSynced = Math.max(0, Math.min(rows, copied - begin));
    let phase: SyncTableResult['phase'] = 'pending';
    if (status === 'succeeded' || (status !== 'queued' && copied >= end)) phase = 'done';
    else if (status !== 'queued' && !activeSeen) {
      activeSeen = true;
      phase = !ended ? 'copying' : rowsSynced > 0 ? 'partial' : 'pending';
    }
    return { name, phase, rowsSynced, rowEstimate: rows };
  });
}

function syncMessage(params: SyncParams, states: SyncTableResult[], phase: PhaseView): string {
  switch (phase.status) {
    case 'queued':
      return 'Waiting for a worker';
    case 'running': {
      const index = states.findIndex((t) => t.phase === 'copying');
      if (index === -1) return `Finishing sync to ${params.warehouse}`;
      return `Copying ${states[index]!.name} (table ${index + 1} of ${states.length})`;
    }
    case 'succeeded':
      return `Synced ${states.length} table${states.length === 1 ? '' : 's'} to ${params.warehouse}`;
    case 'failed':
      return 'Sync failed';
    case 'cancelled':
      return `Cancelled; completed tables stay in ${params.warehouse}`;
  }
}

export function createSyncOperation(opts: { data: (tenant: string) => TenantData }): OperationDefinition<SyncParams> {
  const tablesOf = (job: OperationJob<SyncParams>) => rowEstimates(opts.data(job.tenant), job.params);
  const statesOf = (job: OperationJob<SyncParams>, phase: PhaseView) => tableStates(tablesOf(job), phase.fraction, phase.status);
  return {
    type: 'sync',
    path: '/warehouse-syncs',
    validate: validateSync,
    totalUnits: (job) => tablesOf(job).reduce((n, t) => n + t.rows, 0),
    unit: 'rows',
    message: (job, phase) => syncMessage(job.params, statesOf(job, phase), phase),
    extra(job, phase) {
      const parts: JobPart[] = statesOf(job, phase).map((t) => ({
        name: t.name,
        phase: t.phase,
        done: t.rowsSynced,
        total: t.rowEstimate,
        unit: 'rows',
      }));
      return { parts };
    },
    produce(job, terminal) {
      const tables = tableStates(tablesOf(job), terminal.progress / 100, terminal.status);
      const result: SyncResult = {
        warehouse: job.params.warehouse,
        backfillFrom: job.params.backfillFrom,
        tables,
        rowsSynced: tables.reduce((n, t) => n + t.rowsSynced, 0),
      };
      return { result: { ...result } };
    },
  };
}
