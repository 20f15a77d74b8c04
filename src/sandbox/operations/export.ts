// POST /api/v1/exports: a full tenant export as JSON, CSV, or a ZIP with attachments.
import { stringify } from 'csv-stringify/sync';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ExportFormat } from '../../sdk/types.js';
import { allRecords, ENTITIES, generateTenantData, recordToJson, type TenantData, type TenantRecord } from '../tenant-data.js';
import type { OperationDefinition, OperationJob, PhaseView, Production, Validation } from './types.js';

export interface ExportParams {
  format: ExportFormat;
  includeAttachments: boolean;
  filters: Record<string, unknown> | null;
}

export const CSV_COLUMNS = ['entity', 'id', 'site', 'title', 'status', 'date', 'severity', 'owner', 'description'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateExport(body: Record<string, unknown>): Validation<ExportParams> {
  if (body.format !== 'json' && body.format !== 'csv') {
    return { ok: false, field: 'format', detail: "\"format\" is required and must be 'json' or 'csv'" };
  }
  if (body.includeAttachments !== undefined && typeof body.includeAttachments !== 'boolean') {
    return { ok: false, field: 'includeAttachments', detail: '"includeAttachments" must be a boolean' };
  }
  if (body.filters !== undefined && body.filters !== null && !isPlainObject(body.filters)) {
    return { ok: false, field: 'filters', detail: '"filters" must be an object' };
  }
  return {
    ok: true,
    params: {
      format: body.format,
      includeAttachments: body.includeAttachments === true,
      filters: (body.filters as Record<string, unknown> | undefined) ?? null,
    },
  };
}

/** Where the running phase is, by fraction of the work. */
function runningMessage(params: ExportParams, fraction: number): string {
  const writeLabel = params.format === 'csv' ? 'Writing CSV' : 'Writing JSON';
  const collectEnd = params.includeAttachments ? 0.8 : 0.9;
  if (fraction >= collectEnd) {
    if (!params.includeAttachments) return writeLabel;
    return fraction < 0.9 ? writeLabel : 'Packaging attachments';
  }
  const labels = ['Collecting incidents', 'Collecting inspections', 'Collecting CAPAs', 'Collecting observations'];
  return labels[Math.min(labels.length - 1, Math.floor((fraction / collectEnd) * labels.length))]!;
}

function exportMessage(params: ExportParams, phase: PhaseView): string {
  switch (phase.status) {
    case 'queued':
      return 'Waiting for a worker';
    case 'running':
      return runningMessage(params, phase.fraction);
    case 'succeeded':
      return 'Done';
    case 'failed':
      return 'Export failed';
    case 'cancelled':
      return 'Cancelled; partial export available';
  }
}

function renderJson(tenant: string, exportedAt: Date, records: TenantRecord[]): Uint8Array {
  const doc: Record<string, unknown> = { tenant, exportedAt: exportedAt.toISOString() };
  for (const entity of ENTITIES) doc[entity] = records.filter((r) => r.entity === entity).map(recordToJson);
  return strToU8(JSON.stringify(doc, null, 2) + '\n');
}

function renderCsv(records: TenantRecord[]): Uint8Array {
  const text = stringify(records, { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' });
  return strToU8(text);
}

/** Small but real-looking attachment files for some records. */
function attachmentsFor(record: TenantRecord, index: number): Record<string, Uint8Array> {
  if (index % 10 !== 0) return {};
  const pdf = strToU8(
    `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${record.id} ${record.title}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...strToU8(`JFIF ${record.id}`), 0xff, 0xd9]);
  const notes = strToU8(`${record.id}: ${record.title}\n${record.description}\n`);
  return { 'report.pdf': pdf, 'photo-1.jpg': jpeg, 'notes.txt': notes };
}

function renderZip(inner: { name: string; bytes: Uint8Array }, records: TenantRecord[], mtime: Date): Uint8Array {
  const files: Zippable = { [inner.name]: inner.bytes };
  records.forEach((record, index) => {
    for (const [name, bytes] of Object.entries(attachmentsFor(record, index))) {
      files[`attachments/${record.id}/${name}`] = bytes;
    }
  });
  return zipSync(files, { mtime });
}

export function createExportOperation(opts: {
  rowsPerEntity: number;
  /** The tenant's live records (e.g. a TenantStore's `get`); default: the generated data. */
  data?: (tenant: string) => TenantData;
}): OperationDefinition<ExportParams> {
  const dataOf = opts.data ?? ((tenant: string) => generateTenantData(tenant, opts.rowsPerEntity));
  const recordsOf = (tenant: string) => allRecords(dataOf(tenant));
  const countOf = (tenant: string) => {
    const data = dataOf(tenant);
    return ENTITIES.reduce((n, entity) => n + data[entity].length, 0);
  };
  return {
    type: 'export',
    path: '/exports',
    validate: validateExport,
    totalUnits: (job) => countOf(job.tenant),
    message: (job: OperationJob<ExportParams>, phase: PhaseView) => exportMessage(job.params, phase),
    produce(job, terminal): Production {
      const all = recordsOf(job.tenant);
      const records = all.slice(0, Math.floor((all.length * terminal.progress) / 100));
      const { format, includeAttachments } = job.params;
      const body = format === 'csv' ? renderCsv(records) : renderJson(job.tenant, terminal.finishedAt, records);
      const partial = terminal.status === 'cancelled';
      const stem = `${job.tenant}-export-${job.jobId}${partial ? '-partial' : ''}`;
      const file = includeAttachments
        ? {
            bytes: renderZip({ name: `export.${format}`, bytes: body }, records, terminal.finishedAt),
            contentType: 'application/zip',
            fileName: `${stem}.zip`,
          }
        : {
            bytes: body,
            contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
            fileName: `${stem}.${format}`,
          };
      const result: Record<string, unknown> = partial
        ? { partial: true, records: records.length, format }
        : { records: records.length, format };
      return { result, file };
    },
  };
}
