import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type { JobSnapshot } from '../types.js';
import type { ValidationResult } from '../validation/problems.js';
import { ENTITIES, IMPORT_MODES, validateRecordFile, type Entity, type ImportMode } from '../validation/records.js';
import { detectFormat, RECORD_FORMATS, type RecordFormat } from '../validation/source.js';
import { startJob, type KickoffOptions, type StartedJob } from './kickoff.js';

export interface ImportOptions {
  /** The file to upload (streamed, never read into memory). */
  path: string;
  entity: Entity;
  /** Default 'create'. */
  mode?: ImportMode;
  /** Default: from the file extension (.csv, .json, .ndjson/.jsonl). */
  format?: RecordFormat;
}

export const IMPORT_CONTENT_TYPES: Readonly<Record<RecordFormat, string>> = {
  csv: 'text/csv',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
};

/** One row the server could not apply. `line` is the row's physical line in the uploaded file. */
export interface ImportRowError {
  line: number;
  field?: string;
  /** e.g. `not_found` (update/delete of an unknown id), `duplicate`, `invalid`. */
  code: string;
  message: string;
}

/** `result` of a succeeded import. `errors` is capped; `errorCount` counts every failed row. */
export interface ImportResult {
  entity?: string;
  mode?: string;
  rows?: number;
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  errors: ImportRowError[];
  errorCount: number;
}

/** The import result of a snapshot, with missing counts read as 0; undefined when the job has no result. */
export function importResultOf(snapshot: Pick<JobSnapshot, 'result'>): ImportResult | undefined {
  const result = snapshot.result;
  if (!result) return undefined;
  const count = (name: string) => (typeof result[name] === 'number' ? (result[name] as number) : 0);
  const errors = Array.isArray(result.errors) ? (result.errors as ImportRowError[]) : [];
  return {
    entity: typeof result.entity === 'string' ? result.entity : undefined,
    mode: typeof result.mode === 'string' ? result.mode : undefined,
    rows: typeof result.rows === 'number' ? result.rows : undefined,
    created: count('created'),
    updated: count('updated'),
    deleted: count('deleted'),
    failed: count('failed'),
    errors,
    errorCount: Math.max(count('errorCount'), errors.length),
  };
}

/** Bulk create / update / delete of records (POST /api/v1/imports with the file as the streamed body). */
export class Imports {
  constructor(private readonly http: HttpClient) {}

  /** Checks the file locally (every problem with its line and field) without sending anything. */
  validate(options: ImportOptions, now?: Date): Promise<ValidationResult> {
    const { entity, mode, format } = resolveOptions(options);
    return validateRecordFile(options.path, { entity, mode, format, now });
  }

  /** Starts the import. The file is re-opened for each retry of the kick-off, so a retry re-sends it whole. */
  async start(options: ImportOptions, kickoff: KickoffOptions = {}): Promise<StartedJob> {
    const { entity, mode, format } = resolveOptions(options);
    const info = await stat(options.path).catch(() => undefined);
    if (!info?.isFile()) throw new ValidationError(`Cannot read ${options.path}: not a file`, { code: 'invalid_file' });
    return startJob(
      this.http,
      '/api/v1/imports',
      {
        upload: { contentType: IMPORT_CONTENT_TYPES[format], open: () => createReadStream(options.path) },
        query: { entity, mode, format },
      },
      kickoff,
    );
  }
}

function resolveOptions(options: ImportOptions): { entity: Entity; mode: ImportMode; format: RecordFormat } {
  const mode = options.mode ?? 'create';
  const format = options.format ?? detectFormat(options.path);
  if (!ENTITIES.includes(options.entity)) {
    throw new ValidationError(`Unknown entity "${options.entity}": expected one of ${ENTITIES.join(', ')}`, { code: 'invalid_entity' });
  }
  if (!IMPORT_MODES.includes(mode)) {
    throw new ValidationError(`Unknown import mode "${mode}": expected one of ${IMPORT_MODES.join(', ')}`, { code: 'invalid_mode' });
  }
  if (!format || !RECORD_FORMATS.includes(format)) {
    throw new ValidationError(`Cannot tell the format of ${options.path}: pass format csv, json or ndjson`, { code: 'invalid_format' });
  }
  return { entity: options.entity, mode, format };
}
