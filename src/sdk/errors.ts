import type { ProblemDetails } from './types.js';

export interface QehsErrorDetails {
  status?: number;
  code?: string;
  requestId?: string;
  problem?: ProblemDetails;
  /** Delay the server asked for (ms), for 429/503. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Base of every error the SDK throws. */
export class QehsError extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly problem?: ProblemDetails;
  readonly retryAfterMs?: number;

  constructor(message: string, details: QehsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.problem = details.problem;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 401 (no or bad token) and 403 (not permitted). */
export class AuthenticationError extends QehsError {}
export class NotFoundError extends QehsError {}
/** 400 / 409 / 422: the request was refused as invalid. */
export class InvalidRequestError extends QehsError {}
export class RateLimitError extends QehsError {}
/** 5xx. */
export class ServerError extends QehsError {}
/** Any other unexpected HTTP status or an unparseable response. */
export class UnexpectedResponseError extends QehsError {}
/** DNS, refused, reset: no HTTP response at all. */
export class ConnectionError extends QehsError {}
/** A single request took longer than the per-request timeout. */
export class RequestTimeoutError extends QehsError {}
/** The caller's overall deadline passed (e.g. `--timeout`). */
export class DeadlineExceededError extends QehsError {}
/** The caller's AbortSignal fired. */
export class AbortedError extends QehsError {}
/** Checksum or size mismatch of a download; signature failures. */
export class IntegrityError extends QehsError {}
/** Local input rejected before anything was sent. */
export class ValidationError extends QehsError {}

/** Errors worth another attempt of the same request. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RateLimitError || error instanceof ConnectionError || error instanceof RequestTimeoutError) return true;
  if (error instanceof ServerError) return error.status !== 501;
  return false;
}

export interface ErrorResponse {
  status: number;
  body: string;
  contentType?: string;
  requestId?: string;
  retryAfterMs?: number;
  method: string;
  url: string;
}

/** Builds the typed error for a non-2xx response, parsing RFC 9457 problem+json when present. */
export function errorFromResponse(response: ErrorResponse): QehsError {
  const problem = parseProblem(response.body, response.contentType);
  const { status } = response;
  const summary = problem?.detail ?? problem?.title ?? (response.body.trim().slice(0, 200) || `HTTP ${status}`);
  const where = `${response.method} ${redactUrl(response.url)}`;
  const details: QehsErrorDetails = {
    status,
    code: problem?.code ?? defaultCode(status),
    requestId: response.requestId,
    problem,
    retryAfterMs: response.retryAfterMs,
  };
  const message = `${summary} (HTTP ${status} from ${where})`;
  if (status === 401 || status === 403) return new AuthenticationError(message, details);
  if (status === 404 || status === 410) return new NotFoundError(message, details);
  if (status === 429) return new RateLimitError(message, details);
  if (status === 400 || status === 409 || status === 413 || status === 415 || status === 422) {
    return new InvalidRequestError(message, details);
  }
  if (status >= 500) return new ServerError(message, details);
  return new UnexpectedResponseError(message, details);
}

function parseProblem(body: string, contentType: string | undefined): ProblemDetails | undefined {
  if (!body || !contentType || !/json/i.test(contentType)) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ProblemDetails) : undefined;
  } catch {
    return undefined;
  }
}

function defaultCode(status: number): string {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 410) return 'gone';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

/** Drops query strings (pre-signed download URLs carry credentials there). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}

/** Thrown by `jobs.await` when the job ended `failed`; carries the final snapshot. */
export class JobFailedError extends QehsError {
  constructor(readonly snapshot: import('./types.js').JobSnapshot) {
    super(`Job ${snapshot.jobId} failed: ${snapshot.error?.code ?? 'unknown_error'}: ${snapshot.error?.message ?? 'no message'}`, {
      code: snapshot.error?.code ?? 'job_failed',
    });
  }
}

/** Thrown by `jobs.await` when the job ended `cancelled`; carries the final snapshot. */
export class JobCancelledError extends QehsError {
  constructor(readonly snapshot: import('./types.js').JobSnapshot) {
    super(`Job ${snapshot.jobId} was cancelled`, { code: 'job_cancelled' });
  }
}
