import { ValidationError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type { JobSnapshot } from '../types.js';
import { validateCasNumber, validateLei, validateTrifid } from '../validation/identifiers.js';
import { startJob, type KickoffOptions, type StartedJob } from './kickoff.js';

export const FILING_FORMS = ['osha-300a', 'epa-tri', 'csrd-xbrl'] as const;
export type FilingForm = (typeof FILING_FORMS)[number];

interface FilingBase {
  year: number;
  /** Validate only: the job returns `{valid, problems}` and nothing is submitted. */
  dryRun?: boolean;
}

/** POST /api/v1/filings body, by form (`webhookUrl` travels in KickoffOptions). */
export type FilingRequest =
  | (FilingBase & { form: 'osha-300a'; establishment: string })
  | (FilingBase & { form: 'epa-tri'; facility: string; chemicals?: string[] })
  | (FilingBase & { form: 'csrd-xbrl'; entity: string });

/** A request field the caller got wrong; `value` is the offending input (never a secret). */
export interface FilingProblem {
  field: 'form' | 'year' | 'establishment' | 'facility' | 'chemicals' | 'entity';
  value: string;
  message: string;
}

/** What the agency acknowledged (sandbox: simulated). Extra agency-specific fields may be present. */
export interface FilingReceipt {
  agency: string;
  system: string;
  confirmationNumber: string;
  submittedAt: string;
  [extra: string]: unknown;
}

/** `result` of a filing job: a submission (with the filed document as `download`) or a dry run's verdict. */
export interface FilingResult {
  form: FilingForm;
  year: number;
  dryRun?: boolean;
  /** Dry runs: whether the filing would be accepted, and why not. */
  valid?: boolean;
  problems?: { field: string; message: string }[];
  submissionId?: string;
  receipt?: FilingReceipt;
}

/** The filing result of a finished job's snapshot, when it has one. */
export function filingResultOf(snapshot: JobSnapshot): FilingResult | undefined {
  const result = snapshot.result as Partial<FilingResult> | undefined;
  return result && typeof result.form === 'string' ? (result as FilingResult) : undefined;
}

/** Local checks of a filing request (identifier formats and check digits); empty when it may be sent. */
export function validateFilingRequest(request: FilingRequest): FilingProblem[] {
  const problems: FilingProblem[] = [];
  if (!(FILING_FORMS as readonly string[]).includes(request.form)) {
    problems.push({ field: 'form', value: String(request.form), message: `expected one of ${FILING_FORMS.join(', ')}` });
    return problems;
  }
  if (!Number.isInteger(request.year) || request.year < 1000 || request.year > 9999) {
    problems.push({ field: 'year', value: String(request.year), message: 'year must be 4 digits' });
  }
  const check = (field: FilingProblem['field'], value: string, validate: (v: string) => string | null) => {
    const message = validate(value);
    if (message) problems.push({ field, value, message });
  };
  switch (request.form) {
    case 'osha-300a':
      check('establishment', request.establishment, (v) => (v.trim() === '' ? 'establishment id is required' : null));
      break;
    case 'epa-tri':
      check('facility', request.facility, validateTrifid);
      for (const cas of request.chemicals ?? []) check('chemicals', cas, validateCasNumber);
      break;
    case 'csrd-xbrl':
      check('entity', request.entity, validateLei);
      break;
  }
  return problems;
}

/** Regulatory filing submissions: OSHA 300A, EPA TRI, CSRD XBRL (POST /api/v1/filings). */
export class Filings {
  constructor(private readonly http: HttpClient) {}

  /** Validates locally (throws ValidationError, nothing sent), then starts the filing job. */
  async start(request: FilingRequest, kickoff: KickoffOptions = {}): Promise<StartedJob> {
    const problems = validateFilingRequest(request);
    if (problems.length > 0) {
      const detail = problems.map((p) => `${p.field} ${JSON.stringify(p.value)}: ${p.message}`).join('; ');
      throw new ValidationError(`Invalid ${request.form} filing: ${detail}`, { code: 'invalid_filing' });
    }
    const body: Record<string, unknown> = { ...request };
    if (request.dryRun !== true) delete body.dryRun;
    if (request.form === 'epa-tri' && !request.chemicals?.length) delete body.chemicals;
    return startJob(this.http, '/api/v1/filings', body, kickoff);
  }
}
