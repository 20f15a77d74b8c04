import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import {
  ConnectionError,
  DeadlineExceededError,
  QehsError,
  RateLimitError,
  RequestTimeoutError,
  ServerError,
  ValidationError,
  errorFromResponse,
  isRetryable,
  redactUrl,
} from './errors.js';
import { abortReason, backoffDelay, clampDelay, parseRetryAfter, systemClock, type Clock } from './timing.js';
import { SDK_VERSION } from './version.js';
import { headerValue, isLoopbackHost } from './headers.js';

export { headerValue, isLoopbackHost, newIdempotencyKey } from './headers.js';

export interface RetryPolicy {
  /** Total attempts per request, including the first. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 };

/** A line for --verbose; never contains the token. */
export type TraceSink = (line: string) => void;

export interface HttpClientOptions {
  baseUrl: string;
  token?: string;
  userAgent?: string;
  /** undici dispatcher (Agent, MockAgent, ...); tests inject one. */
  dispatcher?: Dispatcher;
  /** Per-request limit for headers and for body inactivity. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  random?: () => number;
  trace?: TraceSink;
  /** Allow plain http:// to a non-loopback host. */
  insecure?: boolean;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'HEAD';
  /** Path under the base URL ('/api/v1/jobs/x') or an absolute URL (a Location header). */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** A non-JSON body (uploads). `open` is called once per attempt, so a retry re-reads a file from the start. */
  body?: { contentType: string; open(): Readable | Uint8Array | string };
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Epoch ms after which no new attempt or wait starts. */
  deadline?: number;
  /** Set on kick-off POSTs: the key makes a retried POST safe. */
  idempotencyKey?: string;
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  requestId?: string;
}

export interface StreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

const RETRY_AFTER_BOUNDS = { minMs: 0, maxMs: 5 * 60_000 };

/** The one HTTP client every SDK resource uses: auth, retries, timeouts, tracing. */
export class HttpClient {
  readonly baseUrl: URL;
  readonly clock: Clock;
  private readonly token?: string;
  private readonly userAgent: string;
  private readonly dispatcher?: Dispatcher;
  private readonly requestTimeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly trace?: TraceSink;

  constructor(options: HttpClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new ValidationError(`Invalid base URL "${options.baseUrl}": expected e.g. https://app.qehsethos.com`, { code: 'invalid_base_url' });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new ValidationError(`Invalid base URL "${options.baseUrl}": only http(s) is supported`, { code: 'invalid_base_url' });
    }
    if (base.protocol === 'http:' && !isLoopbackHost(base.hostname) && !options.insecure) {
      throw new ValidationError(
        `Refusing plain http:// to ${base.hostname}: the token would travel unencrypted. Use https://, or --insecure if you must.`,
        { code: 'insecure_base_url' },
      );
    }
    this.baseUrl = base;
    this.token = options.token;
    this.userAgent = options.userAgent ?? `qehs/${SDK_VERSION}`;
    this.dispatcher = options.dispatcher;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.trace = options.trace;
  }

  resolve(pathOrUrl: string, query?: RequestOptions['query']): URL {
    const url = /^https?:\/\//i.test(pathOrUrl)
      ? new URL(pathOrUrl)
      : new URL(this.baseUrl.pathname.replace(/\/$/, '') + pathOrUrl, this.baseUrl);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** Sends a request expecting a JSON (or empty) 2xx answer; retries what is safe to retry. */
  async requestJson<T>(options: RequestOptions): Promise<JsonResponse<T>> {
    return this.withRetries(options, async (signal) => {
      const response = await this.send(options, signal, 'application/json, application/problem+json');
      const text = await response.body.text();
      const requestId = headerValue(response.headers, 'x-request-id');
      if (response.statusCode >= 300) {
        throw errorFromResponse({
          status: response.statusCode,
          body: text,
          contentType: headerValue(response.headers, 'content-type'),
          requestId,
          retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after'), this.clock.now()),
          method: options.method,
          url: this.resolve(options.path, options.query).toString(),
        });
      }
      let body: unknown = undefined;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ServerError(
            `Unparseable JSON in the ${response.statusCode} answer to ${options.method} ${redactUrl(this.resolve(options.path).toString())}`,
            { status: response.statusCode, code: 'bad_response', requestId },
          );
        }
      }
      return { status: response.statusCode, headers: response.headers, body: body as T, requestId };
    });
  }

  /**
   * Opens a streaming GET (downloads). Authorization is sent only to the API's own origin, so a
   * pre-signed URL on a storage host never sees the token. Non-2xx answers become typed errors.
   */
  async openStream(url: string, headers: Record<string, string>, signal?: AbortSignal, deadline?: number): Promise<StreamResponse> {
    const options: RequestOptions = { method: 'GET', path: url, headers, signal, deadline };
    return this.withRetries(options, async (attemptSignal) => {
      const response = await this.send(options, attemptSignal, '*/*', { bodyStreaming: true });
      if (response.statusCode >= 300) {
        const text = await response.body.text().catch(() => '');
        throw errorFromResponse({
          status: response.statusCode,
          body: text,
          contentType: headerValue(response.headers, 'content-type'),
          requestId: headerValue(response.headers, 'x-request-id'),
          retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after'), this.clock.now()),
          method: 'GET',
          url,
        });
      }
      return { status: response.statusCode, headers: response.headers, body: response.body as unknown as Readable };
    });
  }

  private async send(
    options: RequestOptions,
    signal: AbortSignal,
    accept: string,
    mode: { bodyStreaming?: boolean } = {},
  ): Promise<Dispatcher.ResponseData> {
    const url = this.resolve(options.path, options.query);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept, ...options.headers };
    if (this.token && url.origin === this.baseUrl.origin) headers.authorization = `Bearer ${this.token}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let body: string | Uint8Array | Readable | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.body) {
      body = options.body.open();
      headers['content-type'] = options.body.contentType;
    }
    const started = this.clock.now();
    this.trace?.(`> ${options.method} ${redactUrl(url.toString())}${options.idempotencyKey ? ` idempotency-key=${options.idempotencyKey}` : ''}`);
    // Streams (downloads) are bounded by bodyTimeout between chunks, not by a total time.
    const timeout = mode.bodyStreaming ? undefined : AbortSignal.timeout(this.requestTimeoutMs);
    try {
      const response = await request(url, {
        method: options.method,
        headers,
        body,
        dispatcher: this.dispatcher,
        signal: timeout ? AbortSignal.any([signal, timeout]) : signal,
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: this.requestTimeoutMs,
      });
      const requestId = headerValue(response.headers, 'x-request-id');
      this.trace?.(
        `< ${response.statusCode} ${options.method} ${redactUrl(url.toString())} (${this.clock.now() - started} ms)` +
          (requestId ? ` request-id=${requestId}` : '') +
          (headerValue(response.headers, 'retry-after') ? ` retry-after=${headerValue(response.headers, 'retry-after')}` : ''),
      );
      return response;
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      if (timeout?.aborted || isUndiciTimeout(error)) {
        throw new RequestTimeoutError(`No answer from ${url.host} within ${this.requestTimeoutMs} ms (${options.method} ${redactUrl(url.toString())})`, {
          code: 'request_timeout',
          cause: error,
        });
      }
      throw new ConnectionError(`Cannot reach ${url.host}: ${describeNetworkError(error)}`, { code: 'connection_failed', cause: error });
    }
  }

  private async withRetries<T>(options: RequestOptions, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = options.signal ?? new AbortController().signal;
    // A POST without an idempotency key could start a second job: never retry it.
    const safeToRetry = options.method !== 'POST' || options.idempotencyKey !== undefined;
    for (let attemptNo = 0; ; attemptNo++) {
      if (signal.aborted) throw abortReason(signal);
      if (options.deadline !== undefined && this.clock.now() >= options.deadline) {
        throw new DeadlineExceededError('The deadline passed before the request could be sent', { code: 'deadline_exceeded' });
      }
      try {
        return await attempt(signal);
      } catch (error) {
        if (!(error instanceof QehsError) || !safeToRetry || !isRetryable(error) || attemptNo + 1 >= this.retry.maxAttempts) {
          throw error;
        }
        const delay = this.retryDelay(error, attemptNo);
        if (options.deadline !== undefined && this.clock.now() + delay >= options.deadline) {
          throw new DeadlineExceededError(`The deadline passes before the next retry (last error: ${error.message})`, {
            code: 'deadline_exceeded',
            cause: error,
          });
        }
        this.trace?.(`  retrying in ${delay} ms after: ${error.message}`);
        await this.clock.sleep(delay, signal);
      }
    }
  }

  private retryDelay(error: QehsError, attemptNo: number): number {
    const honourServer = error instanceof RateLimitError || (error instanceof ServerError && error.status === 503);
    const backoff = backoffDelay(attemptNo, this.retry.initialDelayMs, this.retry.maxDelayMs, this.random);
    if (honourServer && error.retryAfterMs !== undefined) return clampDelay(error.retryAfterMs, backoff, RETRY_AFTER_BOUNDS);
    return backoff;
  }
}

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = (error as { code?: string })?.code ?? cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

