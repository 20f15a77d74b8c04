// POST /api/v1/filings: regulatory filing submissions (OSHA 300A, EPA TRI, CSRD XBRL).
// The job builds the form's document from the tenant's data, validates it with the form's rules, then
// "submits" it (simulated receipt). A filing that does not validate ends `failed` with <FORM>_INVALID;
// a dry run validates only and returns {valid, problems}. A cancelled filing leaves nothing filed.
import { createHash } from 'node:crypto';
import { strToU8 } from 'fflate';
import { validateCasNumber, validateLei, validateTrifid } from '../../sdk/validation/identifiers.js';
import { buildCsrdPackage, buildCsrdReport, csrdPackageRoot } from '../filings/csrd.js';
import { findEstablishment, osha300aInputFor } from '../filings/osha-cases.js';
import { buildOsha300aRow, toItaCsv, validateOsha300a } from '../filings/osha300a.js';
import { buildTriSubmission, toTriXml } from '../filings/tri.js';
import type { TenantData } from '../tenant-data.js';
import type { OperationDefinition, PhaseView, ProducedFile, Production, ProductionFailure, Validation } from './types.js';

export const FILING_FORMS = ['osha-300a', 'epa-tri', 'csrd-xbrl'] as const;
export type FilingForm = (typeof FILING_FORMS)[number];

export interface FilingParams {
  form: FilingForm;
  year: number;
  /** osha-300a */
  establishment?: string;
  /** epa-tri */
  facility?: string;
  chemicals: string[];
  /** csrd-xbrl */
  entity?: string;
  dryRun: boolean;
}

interface FormInfo {
  label: string;
  agency: string;
  system: string;
  errorCode: string;
  documentLabel: string;
  /** Prefix of the simulated confirmation number. */
  confirmationPrefix: string;
}

const FORMS: Record<FilingForm, FormInfo> = {
  'osha-300a': { label: 'OSHA Form 300A', agency: 'OSHA', system: 'ITA', errorCode: 'OSHA_300A_INVALID', documentLabel: 'ITA CSV', confirmationPrefix: 'ITA' },
  'epa-tri': { label: 'EPA TRI', agency: 'EPA', system: 'CDX TRI-MEweb', errorCode: 'EPA_TRI_INVALID', documentLabel: 'TRI submission', confirmationPrefix: 'CDX' },
  'csrd-xbrl': { label: 'CSRD XBRL', agency: 'OAM', system: 'ESAP', errorCode: 'CSRD_XBRL_INVALID', documentLabel: 'XBRL report package', confirmationPrefix: 'ESAP' },
};

interface Problem {
  field: string;
  message: string;
}

const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function validateFiling(body: Record<string, unknown>): Validation<FilingParams> {
  const invalid = (field: string, detail: string): Validation<FilingParams> => ({ ok: false, field, detail });
  const form = body.form;
  if (typeof form !== 'string' || !(FILING_FORMS as readonly string[]).includes(form)) {
    return invalid('form', `"form" is required and must be one of ${FILING_FORMS.join(', ')}`);
  }
  if (typeof body.year !== 'number' || !Number.isInteger(body.year) || body.year < 1000 || body.year > 9999) {
    return invalid('year', '"year" is required and must be a 4-digit integer');
  }
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') return invalid('dryRun', '"dryRun" must be a boolean');
  const params: FilingParams = { form: form as FilingForm, year: body.year, chemicals: [], dryRun: body.dryRun === true };
  switch (params.form) {
    case 'osha-300a':
      if (!nonEmptyString(body.establishment)) return invalid('establishment', '"establishment" is required for osha-300a');
      params.establishment = body.establishment;
      break;
    case 'epa-tri': {
      const facility = body.facility;
      if (typeof facility !== 'string') return invalid('facility', '"facility" (TRIFID) is required for epa-tri');
      const trifidProblem = validateTrifid(facility);
      if (trifidProblem) return invalid('facility', trifidProblem);
      params.facility = facility;
      if (body.chemicals !== undefined) {
        if (!Array.isArray(body.chemicals)) return invalid('chemicals', '"chemicals" must be an array of CAS numbers');
        for (const cas of body.chemicals) {
          const casProblem = typeof cas === 'string' ? validateCasNumber(cas) : 'each chemical must be a CAS number string';
          if (casProblem) return invalid('chemicals', `${JSON.stringify(cas)}: ${casProblem}`);
        }
        params.chemicals = [...new Set(body.chemicals as string[])];
      }
      break;
    }
    case 'csrd-xbrl': {
      const entity = body.entity;
      if (typeof entity !== 'string') return invalid('entity', '"entity" (LEI) is required for csrd-xbrl');
      const leiProblem = validateLei(entity);
      if (leiProblem) return invalid('entity', leiProblem);
      params.entity = entity;
      break;
    }
  }
  return { ok: true, params };
}

/** The built document, or the problems that stop the filing. */
type Built = { problems: Problem[]; file?: ProducedFile; details?: Record<string, unknown> };

function buildOsha(data: TenantData, params: FilingParams, now: Date): Built {
  const est = findEstablishment(params.establishment!);
  if (!est) return { problems: [{ field: 'establishment', message: `${params.establishment} is not an establishment of this tenant` }] };
  const input = osha300aInputFor(data, est, params.year);
  const row = buildOsha300aRow(input);
  const problems = validateOsha300a(row, { now });
  return {
    problems,
    file: {
      bytes: strToU8(toItaCsv([row])),
      contentType: 'text/csv; charset=utf-8',
      fileName: `${data.tenant}-osha300a-${est.id}-${params.year}.csv`,
    },
    details: { establishment: est.id, recordableCases: input.cases.length },
  };
}

function buildTri(tenant: string, params: FilingParams, now: Date): Built {
  const built = buildTriSubmission({ tenant, trifid: params.facility!, year: params.year, chemicals: params.chemicals });
  if ('problems' in built) return { problems: built.problems };
  const { submission } = built;
  return {
    problems: yearProblems(params.year, now),
    file: {
      bytes: strToU8(toTriXml(submission, now)),
      contentType: 'application/xml',
      fileName: `${tenant}-tri-${submission.facility.trifid}-${params.year}.xml`,
    },
    details: {
      facility: submission.facility.trifid,
      chemicals: submission.reports.map((r) => ({ cas: r.chemical.cas, name: r.chemical.name, form: r.form })),
    },
  };
}

function buildCsrd(tenant: string, params: FilingParams, now: Date): Built {
  const report = buildCsrdReport({ tenant, lei: params.entity!, year: params.year });
  return {
    problems: yearProblems(params.year, now),
    file: { bytes: buildCsrdPackage(report, now), contentType: 'application/zip', fileName: `${csrdPackageRoot(report)}.xbri` },
    details: { entity: params.entity, facts: report.facts.length },
  };
}

/** Reports cover a finished calendar year. */
function yearProblems(year: number, now: Date): Problem[] {
  return year >= now.getUTCFullYear() ? [{ field: 'year', message: `${year} has not ended yet` }] : [];
}

const shortHash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length).toUpperCase();

function receiptFor(form: FormInfo, params: FilingParams, jobId: string, file: ProducedFile, at: Date, details: Record<string, unknown>) {
  const receipt: Record<string, unknown> = {
    agency: form.agency,
    system: form.system,
    confirmationNumber: `${form.confirmationPrefix}-${params.year}-${shortHash(jobId, 8)}`,
    submittedAt: at.toISOString(),
    documentSha256: createHash('sha256').update(file.bytes).digest('hex'),
  };
  if (params.form === 'epa-tri') {
    // TRI assigns a Document Control Number per chemical report.
    const chemicals = details.chemicals as { cas: string; form: string }[];
    receipt.documentControlNumbers = chemicals.map((c) => ({
      cas: c.cas,
      form: c.form,
      dcn: `13${String(params.year).slice(2)}${String(parseInt(shortHash(`${jobId}|${c.cas}`, 8), 16) % 1e9).padStart(9, '0')}`,
    }));
  }
  return receipt;
}

function runningMessage(form: FormInfo, params: FilingParams, fraction: number): string {
  if (fraction < 0.3) return 'Collecting records';
  if (fraction < 0.6) return `Building the ${form.documentLabel}`;
  if (fraction < 0.85 || params.dryRun) return `Validating the ${form.label} rules`;
  return `Submitting to ${form.agency} ${form.system}`;
}

function filingMessage(params: FilingParams, phase: PhaseView): string {
  const form = FORMS[params.form];
  switch (phase.status) {
    case 'queued':
      return 'Waiting for a worker';
    case 'running':
      return runningMessage(form, params, phase.fraction);
    case 'succeeded':
      return params.dryRun ? 'Validated (dry run; nothing was filed)' : `Filed with ${form.agency}`;
    case 'failed':
      return 'Filing rejected';
    case 'cancelled':
      return 'Cancelled; nothing was filed';
  }
}

export function createFilingOperation(opts: { data: (tenant: string) => TenantData }): OperationDefinition<FilingParams> {
  return {
    type: 'filing',
    path: '/filings',
    validate: validateFiling,
    totalUnits: () => undefined,
    message: (job, phase) => filingMessage(job.params, phase),
    produce(job, terminal): Production | ProductionFailure | undefined {
      if (terminal.status === 'cancelled') return undefined;
      const params = job.params;
      const form = FORMS[params.form];
      const now = terminal.finishedAt;
      const built =
        params.form === 'osha-300a'
          ? buildOsha(opts.data(job.tenant), params, now)
          : params.form === 'epa-tri'
            ? buildTri(job.tenant, params, now)
            : buildCsrd(job.tenant, params, now);
      const base = { form: params.form, year: params.year, ...built.details };
      if (params.dryRun) {
        return { result: { ...base, dryRun: true, valid: built.problems.length === 0, problems: built.problems } };
      }
      if (built.problems.length > 0 || !built.file) {
        const message = built.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
        return { error: { code: form.errorCode, message, problems: built.problems } };
      }
      const submissionId = `sub-${job.jobId.replace(/^job-/, '')}`;
      const receipt = receiptFor(form, params, job.jobId, built.file, now, built.details ?? {});
      return { result: { ...base, submissionId, receipt }, file: built.file };
    },
  };
}
