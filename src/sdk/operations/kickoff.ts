import { ServerError } from '../errors.js';
import { headerValue, newIdempotencyKey, type HttpClient } from '../http.js';
import type { KickoffResponse } from '../types.js';

export interface KickoffOptions {
  /** Reuse a key to make a repeated kick-off return the same job (e.g. re-running a CI step). */
  idempotencyKey?: string;
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

/** The one kick-off path of every operation family: POST with an Idempotency-Key, expect 202 + Location. */
export async function startJob(http: HttpClient, path: string, body: unknown, options: KickoffOptions = {}): Promise<StartedJob> {
  const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
  const response = await http.requestJson<Partial<KickoffResponse>>({
    method: 'POST',
    path,
    json: body,
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
