// POST /api/v1/imports?entity=&mode=&format=: bulk create/update/delete of records from a streamed CSV, JSON array or
// NDJSON body. Rows are parsed while the body arrives and staged; they reach the tenant store in one transaction
// when the job succeeds, and never when it is cancelled or fails (the seed: "bulk imports roll back the transaction").
import type { Readable } from 'node:stream';
import { InputFormatError, recordsFromStream, type RecordFormat } from '../../sdk/validation/source.js';
import { ENTITIES, type EntityName, type TenantRecord } from '../tenant-data.js';
import type { TenantStore } from '../tenant-store.js';
import type { OperationDefinition, PhaseView, Validation } from './types.js';

export const IMPORT_MODES = ['create', 'update', 'delete'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export const IMPORT_CONTENT_TYPES: Record<string, RecordFormat> = {
  'text/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
};

/** Most per-row errors a result lists (`errorCount` counts them all). */
export const MAX_ROW_ERRORS = 1000;
/** Rows one scenario `durationMs` covers: bigger imports run proportionally longer. */
export const ROWS_PER_BASE_DURATION = 10_000;
/** Upload limit: big enough for a 1 GiB file. */
export const MAX_IMPORT_BYTES = 2 * 1024 ** 3;

const FIELDS = ['site', 'title', 'status', 'date', 'severity', 'owner', 'description'] as const;
type Field = (typeof FIELDS)[number];
/** The minimum a created record needs, whatever the client checked (SDK users may skip local validation). */
const REQUIRED_ON_CREATE: readonly Field[] = ['site', 'title', 'status', 'date'];

export interface RowError {
  line: number;
  field?: string;
  code: 'invalid' | 'not_found' | 'duplicate';
  message: string;
}

/** A row read from the upload, kept until the job ends: only what will be applied. */
interface StagedRow {
  line: number;
  id?: string;
  fields: Partial<Record<Field, string>>;
}

export interface ImportParams {
  entity: EntityName;
  mode: ImportMode;
  format: RecordFormat;
  /** Rows read from the file, including rejected ones. */
  rowCount: number;
  staged: StagedRow[];
  /** Rows rejected while reading (capped), and how many there were. */
  rejected: RowError[];
  rejectedCount: number;
}

export interface ImportOutcome {
  entity: EntityName;
  mode: ImportMode;
  rows: number;
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  errors: RowError[];
  errorCount: number;
}

function parseQuery(query: Record<string, string>, contentType: string): Validation<Pick<ImportParams, 'entity' | 'mode' | 'format'>> {
  const entity = query.entity;
  if (!(ENTITIES as readonly string[]).includes(entity ?? '')) {
    return { ok: false, field: 'entity', detail: `"entity" is required and must be one of ${ENTITIES.join(', ')}` };
  }
  const mode = query.mode ?? 'create';
  if (!(IMPORT_MODES as readonly string[]).includes(mode)) {
    return { ok: false, field: 'mode', detail: `"mode" must be one of ${IMPORT_MODES.join(', ')}` };
  }
  const format = query.format ?? IMPORT_CONTENT_TYPES[contentType];
  if (format !== 'csv' && format !== 'json' && format !== 'ndjson') {
    return { ok: false, field: 'format', detail: '"format" must be csv, json or ndjson' };
  }
  return { ok: true, params: { entity: entity as EntityName, mode: mode as ImportMode, format } };
}

/** Checks one row for what the server insists on; returns the staged row or the row's (first) error. */
function stageRow(line: number, record: Record<string, unknown>, entity: EntityName, mode: ImportMode): StagedRow | RowError {
  const invalid = (field: string | undefined, message: string): RowError => ({ line, field, code: 'invalid', message });
  const text = (name: string): string | undefined | false => {
    const raw = record[name];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string') return false;
    const value = raw.trim();
    return value === '' ? undefined : value;
  };
  const entityName = text('entity');
  if (entityName === false || (entityName && entityName !== entity && `${entityName}s` !== entity)) {
    return invalid('entity', `does not match the import's entity ${entity}`);
  }
  const id = text('id');
  if (id === false) return invalid('id', 'must be a string');
  if (mode === 'create' && id) return invalid('id', 'must be empty when creating (the server assigns ids)');
  if (mode !== 'create' && !id) return invalid('id', 'is required');
  if (mode === 'delete') return { line, id, fields: {} };

  const fields: StagedRow['fields'] = {};
  for (const field of FIELDS) {
    const value = text(field);
    if (value === false) return invalid(field, 'must be a string');
    if (value !== undefined) fields[field] = value;
    else if (mode === 'create' && REQUIRED_ON_CREATE.includes(field)) return invalid(field, 'is required');
  }
  return mode === 'create' ? { line, fields } : { line, id, fields };
}

/** Streams the upload into staged rows; a file that cannot be read further is refused as a whole. */
async function readUpload(
  body: Readable,
  head: Pick<ImportParams, 'entity' | 'mode' | 'format'>,
): Promise<Validation<ImportParams>> {
  const params: ImportParams = { ...head, rowCount: 0, staged: [], rejected: [], rejectedCount: 0 };
  try {
    for await (const item of recordsFromStream(body, head.format)) {
      params.rowCount++;
      const row = item.error
        ? ({ line: item.line, code: 'invalid', message: item.error } satisfies RowError)
        : stageRow(item.line, item.record, head.entity, head.mode);
      if ('code' in row) {
        params.rejectedCount++;
        if (params.rejected.length < MAX_ROW_ERRORS) params.rejected.push(row);
      } else {
        params.staged.push(row);
      }
    }
  } catch (err) {
    if (!(err instanceof InputFormatError)) throw err;
    const where = err.line !== undefined ? `line ${err.line}: ` : '';
    return { ok: false, field: 'body', detail: `${where}${err.message}` };
  }
  if (params.rowCount === 0) return { ok: false, field: 'body', detail: 'the file contains no records' };
  return { ok: true, params };
}

const dedupeKey = (r: Pick<TenantRecord, 'title' | 'date' | 'site'>) =>
  `${r.title.toLowerCase()}\n${r.date}\n${r.site.toLowerCase()}`;

/** Applies the staged rows to the store in one transaction; rows that cannot apply are reported, not applied. */
export function applyImport(store: TenantStore, tenant: string, params: ImportParams): ImportOutcome {
  const { entity, mode } = params;
  const counts = { created: 0, updated: 0, deleted: 0 };
  const applyErrors: RowError[] = [];
  let applyErrorCount = 0;
  const fail = (error: RowError) => {
    applyErrorCount++;
    if (applyErrors.length < MAX_ROW_ERRORS) applyErrors.push(error);
  };
  const singular = entity.replace(/s$/, '');

  store.transact(tenant, entity, (records, newId) => {
    if (mode === 'create') {
      const existing = new Map(records.map((r) => [dedupeKey(r), r.id]));
      for (const row of params.staged) {
        const f = row.fields as Record<(typeof REQUIRED_ON_CREATE)[number], string> & StagedRow['fields'];
        const key = dedupeKey(f);
        const twin = existing.get(key);
        if (twin) {
          fail({ line: row.line, field: 'title', code: 'duplicate', message: `${singular} ${twin} already has this title, date and site` });
          continue;
        }
        const record: TenantRecord = {
          entity,
          id: newId(),
          site: f.site,
          title: f.title,
          status: f.status,
          date: f.date,
          severity: f.severity ?? '',
          owner: f.owner ?? '',
          description: f.description ?? '',
        };
        records.push(record);
        existing.set(key, record.id);
        counts.created++;
      }
      return;
    }
    const positions = new Map(records.map((r, i) => [r.id, i]));
    const deleted = new Set<number>();
    for (const row of params.staged) {
      const at = positions.get(row.id!);
      if (at === undefined) {
        fail({ line: row.line, field: 'id', code: 'not_found', message: `no ${singular} with id ${row.id}` });
        continue;
      }
      if (mode === 'delete') {
        deleted.add(at);
        positions.delete(row.id!);
        counts.deleted++;
      } else {
        records[at] = { ...records[at]!, ...row.fields };
        counts.updated++;
      }
    }
    if (deleted.size > 0) {
      let write = 0;
      for (let read = 0; read < records.length; read++) if (!deleted.has(read)) records[write++] = records[read]!;
      records.length = write;
    }
  });

  const errors = [...params.rejected, ...applyErrors].sort((a, b) => a.line - b.line).slice(0, MAX_ROW_ERRORS);
  const errorCount = params.rejectedCount + applyErrorCount;
  return { entity, mode, rows: params.rowCount, ...counts, failed: errorCount, errors, errorCount };
}

function importMessage(params: ImportParams, phase: PhaseView): string {
  switch (phase.status) {
    case 'queued':
      return 'Waiting for a worker';
    case 'running':
      return phase.fraction < 0.1 ? `Checking ${params.rowCount} rows` : `Applying ${params.entity} (${params.mode})`;
    case 'succeeded':
      return 'Done';
    case 'failed':
      return 'Import failed; nothing was changed';
    case 'cancelled':
      return 'Cancelled; the import was rolled back';
  }
}

export function createImportOperation(opts: { store: TenantStore }): OperationDefinition<ImportParams> {
  return {
    type: 'import',
    path: '/imports',
    maxBodyBytes: MAX_IMPORT_BYTES,
    unit: 'rows',
    upload: {
      contentTypes: Object.keys(IMPORT_CONTENT_TYPES),
      async accept(body, request) {
        const head = parseQuery(request.query, request.contentType);
        return head.ok ? readUpload(body, head.params) : head;
      },
    },
    durationMs: (params, baseMs) => baseMs * Math.max(1, params.rowCount / ROWS_PER_BASE_DURATION),
    validate: () => ({ ok: false, field: 'body', detail: 'imports take a CSV, JSON or NDJSON upload body' }),
    totalUnits: (job) => job.params.rowCount,
    message: (job, phase) => importMessage(job.params, phase),
    produce(job, terminal) {
      if (terminal.status !== 'succeeded') return undefined; // cancelled: roll back, nothing was applied
      const outcome = applyImport(opts.store, job.tenant, job.params);
      // Staged rows are no longer needed once applied.
      job.params.staged = [];
      return { result: { ...outcome } };
    },
  };
}
