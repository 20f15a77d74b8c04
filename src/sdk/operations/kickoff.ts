import { ServerError } from '../errors.js';
import { headerValue, newIdempotencyKey } from '../headers.js';
import type { HttpClient, RequestOptions } from '../http.js';
import type { KickoffResponse } from '../types.js';

export interface KickoffOptions {
  /** Reuse a key to make a repeated kick-off return the same job (e.g. re-running a CI step). */
  idempotencyKey?: string;
  /** Where the platform POSTs the signed terminal snapshot (seed: `webhookUrl` on the originating request). */
  webhookUrl?: string;
  signal?: AbortSignal;
  deadline?: number;
}

export interface StartedJob {
  jobId: string;
  /** Where to poll: the Location header when sent, else the body's statusUrl. */
  statusUrl: string;
  webhookUrl: string | null;
  idempotencyKey: string;
}

/** An upload body (e.g. an import file) instead of a JSON request; `webhookUrl` then travels as a query parameter. */
export interface UploadBody {
  upload: NonNullable<RequestOptions['body']>;
  query?: Record<string, string | number | undefined>;
}

/**
 * The one kick-off path of every operation family: POST with an Idempotency-Key (reused on retries),
 * expect 202 + Location. A JSON body gets `webhookUrl` added when one is given.
 */
export async function startJob(
  http: HttpClient,
  path: string,
  body: Record<string, unknown> | UploadBody,
  options: KickoffOptions = {},
): Promise<StartedJob> {
  const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
  const isUpload = 'upload' in body && typeof body.upload === 'object' && body.upload !== null && 'open' in body.upload;
  const upload = isUpload ? (body as UploadBody) : undefined;
  const json = upload ? undefined : options.webhookUrl ? { ...body, webhookUrl: options.webhookUrl } : body;
  const query = upload ? { ...upload.query, webhookUrl: options.webhookUrl } : undefined;
  const response = await http.requestJson<Partial<KickoffResponse>>({
    method: 'POST',
    path,
    json,
    body: upload?.upload,
    query,
    idempotencyKey,
    signal: options.signal,
    deadline: options.deadline,
  });
  const accepted = response.body;
  if (!accepted || typeof accepted.jobId !== 'string' || accepted.jobId === '') {
    throw new ServerError(`The ${response.status} answer to POST ${path} carries no jobId`, { code: 'bad_response', status: response.status });
  }
  const location = headerValue(response.headers, 'location');
  const requestUrl = http.resolve(path);
  const statusUrl = location
    ? new URL(location, requestUrl).toString()
    : (accepted.statusUrl ?? http.resolve(`/api/v1/jobs/${encodeURIComponent(accepted.jobId)}`).toString());
  return { jobId: accepted.jobId, statusUrl, webhookUrl: accepted.webhookUrl ?? null, idempotencyKey };
}
