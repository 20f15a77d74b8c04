// POST /api/v1/evidence-bundles: a signed evidence bundle (BagIt ZIP + DSSE signature) of the tenant's records in a
// date range, plus GET /api/v1/evidence-bundles/public-key, the PEM that verifies it.
import { stringify } from 'csv-stringify/sync';
import { strToU8 } from 'fflate';
import { BUNDLE_SCOPES, checkBundleOptions, type BundleScope } from '../../sdk/operations/bundles.js';
import { buildEvidenceBundle, type BundleFile, type BundleKeyPair } from '../bundle/build.js';
import { DATE_FIELD, ENTITIES, recordToJson, type EntityName, type TenantData, type TenantRecord } from '../tenant-data.js';
import type { OperationDefinition, OperationJob, PhaseView, Production, PublishedDocument, Validation } from './types.js';

export interface BundleParams {
  from: string | null;
  to: string | null;
  scope: BundleScope[];
}

export interface BundleOperationOptions {
  /** The tenant's records (generated or a live store). */
  data: (tenant: string) => TenantData;
  keyPair: BundleKeyPair;
}

function validateBundle(body: Record<string, unknown>): Validation<BundleParams> {
  for (const field of ['from', 'to'] as const) {
    if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') {
      return { ok: false, field, detail: `"${field}" must be a date string YYYY-MM-DD` };
    }
  }
  if (body.scope !== undefined && body.scope !== null) {
    if (!Array.isArray(body.scope) || !body.scope.every((s) => typeof s === 'string')) {
      return { ok: false, field: 'scope', detail: `"scope" must be an array of ${BUNDLE_SCOPES.join(', ')}` };
    }
  }
  const from = (body.from as string | null | undefined) ?? undefined;
  const to = (body.to as string | null | undefined) ?? undefined;
  const scope = (body.scope as BundleScope[] | null | undefined) ?? undefined;
  const problem = checkBundleOptions({ from, to, scope });
  if (problem) return { ok: false, field: problem.field, detail: `"${problem.field}" ${problem.message}` };
  return { ok: true, params: { from: from ?? null, to: to ?? null, scope: scope ? [...new Set(scope)] : [...BUNDLE_SCOPES] } };
}

function inRange(record: TenantRecord, params: BundleParams): boolean {
  return (params.from === null || record.date >= params.from) && (params.to === null || record.date <= params.to);
}

/** Records of the entities in scope whose date falls in the range, per entity. */
function selectRecords(data: TenantData, params: BundleParams): Map<EntityName, TenantRecord[]> {
  const selected = new Map<EntityName, TenantRecord[]>();
  for (const entity of ENTITIES) {
    if (params.scope.includes(entity)) selected.set(entity, data[entity].filter((r) => inRange(r, params)));
  }
  return selected;
}

const CAPA_COLUMNS = ['id', 'site', 'title', 'status', DATE_FIELD.capas, 'severity', 'owner', 'description'];

/** Small but real-looking evidence files for every tenth record (stable by id, whatever the range). */
function attachmentsOf(record: TenantRecord): BundleFile[] {
  if (Number(record.id.replace(/\D/g, '')) % 10 !== 1) return [];
  const dir = `attachments/${record.id}`;
  const pdf = `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${record.id} ${record.title}\ntrailer << /Root 1 0 R >>\n%%EOF\n`;
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...strToU8(`JFIF ${record.id}`), 0xff, 0xd9]);
  return [
    { path: `${dir}/report.pdf`, data: pdf },
    { path: `${dir}/photo-1.jpg`, data: jpeg },
  ];
}

function payloadFiles(tenant: string, params: BundleParams, selected: Map<EntityName, TenantRecord[]>): BundleFile[] {
  const files: BundleFile[] = [];
  const counts: Record<string, number> = {};
  for (const [entity, records] of selected) {
    counts[entity] = records.length;
    if (entity === 'capas') {
      // The CAPA register as auditors usually get it: a spreadsheet-friendly CSV.
      const rows = records.map((r) => recordToJson(r));
      files.push({ path: 'capas.csv', data: stringify(rows, { header: true, columns: CAPA_COLUMNS, record_delimiter: 'windows' }) });
    } else {
      files.push({ path: `${entity}.json`, data: `${JSON.stringify(records.map(recordToJson), null, 2)}\n` });
    }
    if (params.scope.includes('attachments')) for (const record of records) files.push(...attachmentsOf(record));
  }
  const index = { tenant, from: params.from, to: params.to, scope: params.scope, records: counts };
  files.push({ path: 'bundle.json', data: `${JSON.stringify(index, null, 2)}\n` });
  return files;
}

function bundleMessage(phase: PhaseView): string {
  switch (phase.status) {
    case 'queued':
      return 'Waiting for a worker';
    case 'running':
      if (phase.fraction < 0.6) return 'Collecting records';
      return phase.fraction < 0.85 ? 'Hashing payload files' : 'Signing the manifest';
    case 'succeeded':
      return 'Bundle signed';
    case 'failed':
      return 'Bundle failed';
    case 'cancelled':
      return 'Cancelled; no bundle was produced';
  }
}

export function createBundleOperation(opts: BundleOperationOptions): OperationDefinition<BundleParams> {
  const recordCount = (job: OperationJob<BundleParams>) =>
    [...selectRecords(opts.data(job.tenant), job.params).values()].reduce((sum, records) => sum + records.length, 0);
  return {
    type: 'bundle',
    path: '/evidence-bundles',
    validate: validateBundle,
    totalUnits: recordCount,
    message: (_job, phase) => bundleMessage(phase),
    produce(job, terminal): Production | undefined {
      // A half-built bundle is worthless as evidence: cancelling leaves nothing.
      if (terminal.status === 'cancelled') return undefined;
      const selected = selectRecords(opts.data(job.tenant), job.params);
      const built = buildEvidenceBundle({
        files: payloadFiles(job.tenant, job.params, selected),
        jobId: job.jobId,
        tenant: job.tenant,
        privateKey: opts.keyPair.privateKey,
        now: terminal.finishedAt,
      });
      const records = [...selected.values()].reduce((sum, r) => sum + r.length, 0);
      return {
        result: {
          files: built.fileCount,
          payloadBytes: built.payloadBytes,
          records,
          manifestTimestamp: built.manifestTimestamp,
          keyId: opts.keyPair.keyId,
          from: job.params.from,
          to: job.params.to,
          scope: job.params.scope,
        },
        file: { bytes: built.zip, contentType: 'application/zip', fileName: `${job.tenant}-evidence-${job.jobId}.zip` },
      };
    },
  };
}

/**
 * GET /api/v1/evidence-bundles/public-key behind the same bearer auth as the API. Returns true when it answered.
 * (A wrapper in front of the router, because the router has no hook for non-job routes.)
 */
/** The published verification key, served by the router as an authenticated document. */
export function bundlePublicKeyDocument(publicKeyPem: string): PublishedDocument {
  return { contentType: 'application/x-pem-file', body: publicKeyPem };
}
