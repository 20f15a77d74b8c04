import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LruSet } from './lru.js';
import { decodeWebhookSecret } from './sign.js';
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from './verify.js';

/** A verified, first-seen delivery. */
export interface WebhookEvent {
  id: string;
  /** `webhook-timestamp`, unix seconds. */
  timestamp: number;
  payload: unknown;
  /** Exactly the bytes that were signed (for forwarding). */
  rawBody: Buffer;
  /** Request headers as received (lower-case names; repeated headers as arrays). */
  headers: Record<string, string | string[] | undefined>;
  /** Epoch milliseconds from the receiver's clock. */
  receivedAt: number;
}

export type WebhookRejectionReason =
  | Exclude<WebhookVerificationReason, 'bad_secret'>
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'handler_failed';

export interface WebhookRejection {
  reason: WebhookRejectionReason;
  /** HTTP status answered. */
  status: number;
  method: string;
  /** Request path (query dropped; the receiver's own secret path is redacted when auto-generated). */
  path: string;
  receivedAt: number;
  detail: string;
}

export interface WebhookReceiverOptions {
  secret: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /** Default '/webhooks/' + a random unguessable token. */
  path?: string;
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number;
  /** Default 300. */
  toleranceSec?: number;
  /** How many accepted webhook-ids are remembered for replay protection. Default 10,000. */
  dedupeCapacity?: number;
  /**
   * Called for each verified, first-seen delivery before it is acknowledged (e.g. to forward it).
   * If it throws/rejects the sender gets 500, the id is forgotten (a retry is delivered again) and no 'event' is emitted.
   */
  onEvent?: (event: WebhookEvent) => void | Promise<void>;
}

export interface WebhookReceiverEvents {
  event: [WebhookEvent];
  rejected: [WebhookRejection];
  error: [Error];
  close: [];
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_DEDUPE_CAPACITY = 10_000;
const MAX_REPORTED_CHARS = 200;

const STATUS_BY_REASON: Record<WebhookRejectionReason, number> = {
  missing_headers: 401,
  bad_signature: 401,
  stale_timestamp: 400,
  malformed_json: 400,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  handler_failed: 500,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  500: 'Internal Server Error',
};

type BodyResult = { kind: 'ok'; body: Buffer } | { kind: 'too_large' } | { kind: 'aborted' };

/** Reads the body up to `maxBytes`; stops reading (no further buffering) as soon as the limit is crossed. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        finish({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ kind: 'ok', body: Buffer.concat(chunks, size) }));
    req.once('close', () => finish({ kind: 'aborted' }));
    req.once('error', () => finish({ kind: 'aborted' }));
  });
}

function samePath(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function truncate(text: string): string {
  return text.length > MAX_REPORTED_CHARS ? `${text.slice(0, MAX_REPORTED_CHARS)}…` : text;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Embedded Standard Webhooks receiver (a node:http server). Create it with `createWebhookReceiver`.
 * Emits 'event' once per verified webhook-id, 'rejected' for every refused request, 'error' for handler failures
 * (only when someone listens), and 'close'.
 */
export class WebhookReceiver extends EventEmitter<WebhookReceiverEvents> {
  /** Full URL to deliver to, including the (secret) path. */
  readonly url: string;
  readonly port: number;
  readonly path: string;

  private readonly seen: LruSet;
  private readonly closed = new AbortController();
  private readonly reportedPath: string;

  /** @internal use createWebhookReceiver */
  constructor(
    private readonly server: Server,
    private readonly opts: Required<Omit<WebhookReceiverOptions, 'onEvent' | 'path'>> &
      Pick<WebhookReceiverOptions, 'onEvent'> & { path: string; pathIsGenerated: boolean },
  ) {
    super();
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.path = opts.path;
    this.url = `http://${formatHost(opts.host)}:${this.port}${opts.path}`;
    this.seen = new LruSet(opts.dedupeCapacity);
    this.reportedPath = opts.pathIsGenerated ? '/webhooks/[redacted]' : opts.path;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => this.fail(req, res, err));
    });
  }

  /** Stops listening, drops open connections and ends every `events()` iterator. */
  async close(): Promise<void> {
    if (this.closed.signal.aborted) return;
    this.closed.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.emit('close');
  }

  /**
   * Verified events as an async iterable. Subscribes at call time (events arriving before the first `next()` are
   * buffered). Ends when `signal` aborts (immediately) or when the receiver closes (after yielding what was already
   * received). Unsubscribes when iteration ends, on abort or on close.
   */
  events(signal?: AbortSignal): AsyncGenerator<WebhookEvent, void, undefined> {
    const queue: WebhookEvent[] = [];
    let wake: (() => void) | undefined;
    const onEvent = (event: WebhookEvent): void => {
      queue.push(event);
      wake?.();
    };
    const onStop = (): void => {
      unsubscribe(); // also frees the listener of an iterator that was never started
      wake?.();
    };
    const unsubscribe = (): void => {
      this.off('event', onEvent);
      signal?.removeEventListener('abort', onStop);
      this.closed.signal.removeEventListener('abort', onStop);
    };
    this.on('event', onEvent);
    signal?.addEventListener('abort', onStop);
    this.closed.signal.addEventListener('abort', onStop);
    const closed = this.closed.signal;
    if (signal?.aborted || closed.aborted) unsubscribe();

    async function* iterate(): AsyncGenerator<WebhookEvent, void, undefined> {
      try {
        for (;;) {
          if (signal?.aborted) return;
          const next = queue.shift();
          if (next !== undefined) {
            yield next;
            continue;
          }
          if (closed.aborted) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        unsubscribe();
      }
    }
    return iterate();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = this.opts.now();
    const method = req.method ?? '';
    const rawPath = (req.url ?? '').split('?', 1)[0] ?? '';
    const pathMatches = samePath(rawPath, this.opts.path);
    const context = { method: truncate(method), path: pathMatches ? this.reportedPath : truncate(rawPath), receivedAt };
    res.on('error', () => {}); // a client that vanished mid-response is not our problem
    req.on('error', () => {});

    if (!pathMatches) return this.reject(req, res, context, 'not_found', 'no webhook endpoint at this path');
    if (method !== 'POST') return this.reject(req, res, context, 'method_not_allowed', 'only POST is accepted');

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.opts.maxBodyBytes) {
      return this.reject(req, res, context, 'payload_too_large', `body exceeds ${this.opts.maxBodyBytes} bytes`);
    }
    const read = await readBody(req, this.opts.maxBodyBytes);
    if (read.kind === 'aborted') return; // upload aborted: nobody to answer
    if (read.kind === 'too_large') {
      return this.reject(req, res, context, 'payload_too_large', `body exceeds ${this.opts.maxBodyBytes} bytes`);
    }

    const headers = req.headersDistinct as Record<string, string[] | undefined>;
    let verified;
    try {
      verified = verifyWebhook(read.body, headers, this.opts.secret, { now: this.opts.now, toleranceSec: this.opts.toleranceSec });
    } catch (err) {
      if (err instanceof WebhookVerificationError && err.reason !== 'bad_secret') {
        return this.reject(req, res, context, err.reason, err.message);
      }
      throw err;
    }

    if (this.seen.has(verified.id)) {
      this.seen.add(verified.id); // refresh: an id still being retried stays remembered
      return this.answer(res, 204);
    }
    // Remember before awaiting the hook so a concurrent duplicate is not emitted twice.
    this.seen.add(verified.id);
    const event: WebhookEvent = { ...verified, rawBody: read.body, headers: { ...req.headers }, receivedAt };
    if (this.opts.onEvent) {
      try {
        await this.opts.onEvent(event);
      } catch (err) {
        this.seen.delete(verified.id);
        const message = err instanceof Error ? err.message : String(err);
        if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(message));
        return this.reject(req, res, context, 'handler_failed', `onEvent failed: ${truncate(message)}`);
      }
    }
    this.answer(res, 204);
    this.emit('event', event);
  }

  private reject(
    req: IncomingMessage,
    res: ServerResponse,
    context: { method: string; path: string; receivedAt: number },
    reason: WebhookRejectionReason,
    detail: string,
  ): void {
    const status = STATUS_BY_REASON[reason];
    // Never drain an unbounded or oversized upload: close the connection instead. Small declared bodies are
    // discarded by node itself, which keeps the connection alive.
    const closeAfter = !req.complete && !this.smallDeclaredBody(req);
    const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
    if (reason === 'method_not_allowed') headers['allow'] = 'POST';
    if (closeAfter) headers['connection'] = 'close';
    const body = JSON.stringify({ type: 'about:blank', title: TITLE_BY_STATUS[status], status, code: reason });
    this.answer(res, status, headers, body);
    if (closeAfter) res.once('finish', () => req.socket.destroySoon());
    this.emit('rejected', { reason, status, ...context, detail });
  }

  private smallDeclaredBody(req: IncomingMessage): boolean {
    if (req.headers['transfer-encoding'] !== undefined) return false;
    const declared = req.headers['content-length'];
    return declared === undefined || Number(declared) <= this.opts.maxBodyBytes;
  }

  private answer(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: string): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'cache-control': 'no-store', ...headers });
    res.end(body);
  }

  /** Last-resort guard: an unexpected error answers 500 and never escapes as an unhandled rejection. */
  private fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    this.answer(res, 500);
    if (!req.complete) req.socket.destroySoon();
    if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }
}

/** Starts a receiver and resolves once it is listening. Throws WebhookVerificationError('bad_secret') for an unusable secret. */
export async function createWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  try {
    decodeWebhookSecret(options.secret);
  } catch {
    throw new WebhookVerificationError('bad_secret', 'webhook secret is not a valid whsec_ base64 secret');
  }
  const path = options.path ?? `/webhooks/${randomBytes(18).toString('base64url')}`;
  if (!path.startsWith('/') || path.includes('?')) throw new TypeError('webhook receiver path must start with "/" and have no query');
  const host = options.host ?? '127.0.0.1';
  // Validate before listening so a bad option never leaves a server behind.
  const dedupeCapacity = options.dedupeCapacity ?? DEFAULT_DEDUPE_CAPACITY;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(dedupeCapacity) || dedupeCapacity < 1) throw new RangeError('dedupeCapacity must be a positive integer');
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) throw new RangeError('maxBodyBytes must be a non-negative integer');

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // listening errors after start-up are not fatal to the process

  return new WebhookReceiver(server, {
    secret: options.secret,
    host,
    port: options.port ?? 0,
    maxBodyBytes,
    path,
    pathIsGenerated: options.path === undefined,
    now: options.now ?? Date.now,
    toleranceSec: options.toleranceSec ?? 300,
    dedupeCapacity,
    onEvent: options.onEvent,
  });
}
