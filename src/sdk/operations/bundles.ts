import type { KeyObject } from 'node:crypto';
import { verifyEvidenceBundle, type BundleVerification } from '../bundle/verify.js';
import { ServerError, ValidationError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { isCalendarDate } from '../validation/fields.js';
import { startJob, type KickoffOptions, type StartedJob } from './kickoff.js';

/** What an evidence bundle can contain: the record families plus their attachments. */
export const BUNDLE_SCOPES = ['incidents', 'inspections', 'capas', 'observations', 'attachments'] as const;
export type BundleScope = (typeof BUNDLE_SCOPES)[number];

export interface BundleOptions {
  /** First day (YYYY-MM-DD, inclusive) of the records to bundle. */
  from?: string;
  /** Last day (YYYY-MM-DD, inclusive). */
  to?: string;
  /** Which record families to include; all when omitted. */
  scope?: BundleScope[];
}

export const BUNDLE_PUBLIC_KEY_PATH = '/api/v1/evidence-bundles/public-key';

/** A problem with bundle options: which option and why, so a CLI can name its own flag. */
export interface BundleOptionProblem {
  field: 'from' | 'to' | 'scope';
  message: string;
}

/** Local checks of `BundleOptions` (dates are real calendar days, from <= to, known scopes). */
export function checkBundleOptions(options: BundleOptions): BundleOptionProblem | undefined {
  for (const field of ['from', 'to'] as const) {
    const value = options[field];
    if (value !== undefined && !isCalendarDate(value)) {
      return { field, message: `"${value}" is not a calendar date in the form YYYY-MM-DD` };
    }
  }
  if (options.from !== undefined && options.to !== undefined && options.from > options.to) {
    return { field: 'from', message: `${options.from} is after the end date ${options.to}` };
  }
  if (options.scope !== undefined) {
    if (options.scope.length === 0) return { field: 'scope', message: 'is empty: name at least one of ' + BUNDLE_SCOPES.join(', ') };
    const unknown = options.scope.find((s) => !(BUNDLE_SCOPES as readonly string[]).includes(s));
    if (unknown !== undefined) return { field: 'scope', message: `"${unknown}" is not one of ${BUNDLE_SCOPES.join(', ')}` };
  }
  return undefined;
}

/** Signed evidence bundles (POST /api/v1/evidence-bundles) and their offline verification. */
export class Bundles {
  constructor(private readonly http: HttpClient) {}

  async start(options: BundleOptions = {}, kickoff: KickoffOptions = {}): Promise<StartedJob> {
    const problem = checkBundleOptions(options);
    if (problem) throw new ValidationError(`Invalid bundle ${problem.field}: ${problem.message}`, { code: 'invalid_request' });
    const body: Record<string, unknown> = {};
    if (options.from !== undefined) body.from = options.from;
    if (options.to !== undefined) body.to = options.to;
    if (options.scope !== undefined) body.scope = [...new Set(options.scope)];
    return startJob(this.http, '/api/v1/evidence-bundles', body, kickoff);
  }

  /** The platform's Ed25519 public key (SPKI PEM) that signs evidence bundles. */
  async publicKey(options: { signal?: AbortSignal; deadline?: number } = {}): Promise<string> {
    const response = await this.http.openStream(
      this.http.resolve(BUNDLE_PUBLIC_KEY_PATH).toString(),
      { accept: 'application/x-pem-file' },
      options.signal,
      options.deadline,
    );
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      // A public key is a few hundred bytes; anything huge is not one.
      if (size > 64 * 1024) {
        response.body.destroy();
        throw new ServerError('The bundle public key answer is larger than 64 KiB', { code: 'bad_response', status: response.status });
      }
      chunks.push(chunk as Buffer);
    }
    const pem = Buffer.concat(chunks).toString('utf8');
    if (!pem.includes('-----BEGIN PUBLIC KEY-----')) {
      throw new ServerError('The bundle public key answer is not a PEM public key', { code: 'bad_response', status: response.status });
    }
    return pem;
  }

  /** Verifies a bundle offline (no request is sent); collects every problem. */
  verify(zip: Uint8Array, publicKey: string | KeyObject): BundleVerification {
    return verifyEvidenceBundle(zip, publicKey);
  }
}
