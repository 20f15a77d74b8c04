// HTTP routing for the sandbox: the /api/v1 contract, capability downloads and the /_sandbox control API.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { TERMINAL_STATUSES } from '../sdk/types.js';
import type { DownloadStore } from './downloads.js';
import type { AnyOperation, JobEngine, JobRecord } from './engine.js';
import { canonicalJson, isJsonContentType, readBody, sendJson, sendProblem, type Headers } from './http-util.js';
import type { PublishedDocument } from './operations/types.js';
import { ScenarioError, validateScenarioPatch, type Scenario } from './scenario.js';

export const API_PREFIX = '/api/v1';
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const JOB_STATUSES = ['queued', 'running', ...TERMINAL_STATUSES];
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface ServerContext {
  engine: JobEngine;
  downloads: DownloadStore;
  tokens: Record<string, string>;
  baseUrl(): string;
  scenario(): Scenario;
  setScenario(patch: Partial<Scenario>): void;
  resetScenario(): void;
  /** Static documents under /api/v1 (full path -> document), behind the same auth and fault injection as the rest. */
  documents?: Record<string, PublishedDocument>;
}

/** A handler behind bearer auth receives the caller's tenant. */
type Handler = (req: IncomingMessage, res: ServerResponse, tenant: string) => void | Promise<void>;
type RawHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
type Route = { auth: true; methods: Record<string, Handler> } | { auth: false; methods: Record<string, RawHandler> };

const FAULT_CODES: Record<number, string> = {
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
};

export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch(() => {
      // Never leak internals; a broken handler still answers.
      if (!res.headersSent) sendProblem(res, 500, 'internal_error', 'Unexpected sandbox error');
      else res.destroy();
    });
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (path.startsWith('/api/') && injectFault(ctx, res)) {
    req.resume();
    return;
  }

  const route = resolveRoute(ctx, path, url);
  if (!route) return sendProblem(res, 404, 'not_found', `No route for ${path}`);
  const handler = route.methods[method];
  if (!handler) {
    req.resume();
    const allow = Object.keys(route.methods).join(', ');
    return sendProblem(res, 405, 'method_not_allowed', `${method} is not allowed on ${path}`, { Allow: allow });
  }
  if (!route.auth) return (handler as RawHandler)(req, res);
  const authedHandler = handler as Handler;
  const tenant = authenticate(ctx, req);
  if (tenant === undefined) {
    req.resume();
    const challenge = req.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer';
    return sendProblem(res, 401, 'unauthenticated', 'A valid bearer token is required', { 'WWW-Authenticate': challenge });
  }
  return authedHandler(req, res, tenant);
}

/** Answers the next scripted failure, if one is pending. Returns true when it did. */
function injectFault(ctx: ServerContext, res: ServerResponse): boolean {
  const fault = ctx.scenario().failRequests;
  if (!fault || fault.count <= 0) return false;
  fault.count -= 1;
  if (fault.count <= 0) ctx.setScenario({ failRequests: null });
  const headers: Headers = fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {};
  sendProblem(res, fault.status, FAULT_CODES[fault.status] ?? 'server_error', 'Simulated failure (sandbox scenario)', headers);
  return true;
}

function authenticate(ctx: ServerContext, req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  return Object.hasOwn(ctx.tokens, match[1]!) ? ctx.tokens[match[1]!] : undefined;
}

function resolveRoute(ctx: ServerContext, path: string, url: URL): Route | undefined {
  if (path === '/_sandbox/scenario') {
    return {
      auth: false,
      methods: {
        GET: (_req, res) => sendJson(res, 200, ctx.scenario()),
        POST: (req, res) => updateScenario(ctx, req, res),
        DELETE: (_req, res) => {
          ctx.resetScenario();
          sendJson(res, 200, ctx.scenario());
        },
      },
    };
  }
  const file = /^\/files\/([A-Za-z0-9_-]+)$/.exec(path);
  if (file) {
    const serve: RawHandler = (req, res) => ctx.downloads.serve(req, res, file[1]!);
    return { auth: false, methods: { GET: serve, HEAD: serve } };
  }
  if (!path.startsWith(API_PREFIX + '/')) return undefined;
  const apiPath = path.slice(API_PREFIX.length);
  if (apiPath === '/jobs') {
    return { auth: true, methods: { GET: (_req, res, tenant) => listJobs(ctx, res, tenant, url.searchParams) } };
  }
  const jobPath = /^\/jobs\/([^/]+)$/.exec(apiPath);
  if (jobPath) {
    const jobId = decodeURIComponent(jobPath[1]!);
    return {
      auth: true,
      methods: {
        GET: (_req, res, tenant) => withJob(ctx, res, tenant, jobId, (job) => sendSnapshot(ctx, res, job, 'get')),
        DELETE: (_req, res, tenant) => withJob(ctx, res, tenant, jobId, (job) => sendSnapshot(ctx, res, job, 'cancel')),
      },
    };
  }
  const document = ctx.documents?.[path];
  if (document) {
    const serve: Handler = (req, res) => sendDocument(req, res, document);
    return { auth: true, methods: { GET: serve, HEAD: serve } };
  }
  const op = ctx.engine.operationAt(apiPath);
  if (op) {
    const start: Handler = op.upload
      ? (req, res, tenant) => kickOffUpload(ctx, op, req, res, tenant, url.searchParams)
      : (req, res, tenant) => kickOff(ctx, op, req, res, tenant);
    return { auth: true, methods: { POST: start } };
  }
  return undefined;
}

function sendDocument(req: IncomingMessage, res: ServerResponse, document: PublishedDocument): void {
  req.resume();
  res.writeHead(200, {
    'Content-Type': document.contentType,
    'Content-Length': Buffer.byteLength(document.body),
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : document.body);
}

async function updateScenario(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body.ok) return sendProblem(res, 413, 'payload_too_large', 'Body too large');
  let patch: unknown;
  try {
    patch = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return sendProblem(res, 400, 'malformed_json', 'Request body is not valid JSON');
  }
  try {
    ctx.setScenario(validateScenarioPatch(patch));
  } catch (err) {
    if (err instanceof ScenarioError) return sendProblem(res, 422, 'invalid_request', err.message, {}, { field: err.field });
    throw err;
  }
  sendJson(res, 200, ctx.scenario());
}

function withJob(ctx: ServerContext, res: ServerResponse, tenant: string, jobId: string, then: (job: JobRecord) => void): void {
  const job = ctx.engine.find(jobId, tenant);
  // Another tenant's job is indistinguishable from a missing one.
  if (!job) return sendProblem(res, 404, 'job_not_found', `No job ${jobId}`, { 'Cache-Control': 'no-store' });
  then(job);
}

function sendSnapshot(ctx: ServerContext, res: ServerResponse, job: JobRecord, action: 'get' | 'cancel'): void {
  const snapshot = action === 'cancel' ? ctx.engine.cancel(job) : ctx.engine.snapshot(job);
  const headers: Headers = { 'Cache-Control': 'no-store' };
  const retryAfter = job.scenario.retryAfter;
  if (!ctx.engine.isTerminal(job) && retryAfter !== null) headers['Retry-After'] = retryAfter;
  sendJson(res, 200, snapshot, headers);
}

function encodeCursor(seq: number): string {
  return Buffer.from(`before:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^before:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function listJobs(ctx: ServerContext, res: ServerResponse, tenant: string, query: URLSearchParams): void {
  const invalid = (field: string, detail: string) =>
    sendProblem(res, 422, 'invalid_request', detail, { 'Cache-Control': 'no-store' }, { field });
  const status = query.get('status') || undefined;
  if (status !== undefined && !JOB_STATUSES.includes(status)) {
    return invalid('status', `"status" must be one of ${JOB_STATUSES.join(', ')}`);
  }
  let limit = 20;
  const rawLimit = query.get('limit');
  if (rawLimit !== null && rawLimit !== '') {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1) return invalid('limit', '"limit" must be a positive integer');
    limit = Math.min(limit, 100);
  }
  let beforeSeq: number | undefined;
  const cursor = query.get('cursor');
  if (cursor) {
    beforeSeq = decodeCursor(cursor);
    if (beforeSeq === undefined) return invalid('cursor', '"cursor" is not a cursor this server issued');
  }
  const page = ctx.engine.list(tenant, { status, limit, beforeSeq });
  sendJson(
    res,
    200,
    { jobs: page.jobs, nextCursor: page.lastSeq === null ? null : encodeCursor(page.lastSeq) },
    { 'Cache-Control': 'no-store' },
  );
}

function validateWebhookUrl(value: unknown): { ok: true; url: string | null } | { ok: false } {
  if (value === undefined || value === null) return { ok: true, url: null };
  if (typeof value !== 'string') return { ok: false };
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? { ok: true, url: value } : { ok: false };
  } catch {
    return { ok: false };
  }
}

async function kickOff(
  ctx: ServerContext,
  op: AnyOperation,
  req: IncomingMessage,
  res: ServerResponse,
  tenant: string,
): Promise<void> {
  const body = await readBody(req, op.maxBodyBytes ?? MAX_BODY_BYTES);
  if (!body.ok) {
    if (body.reason === 'aborted') return void res.destroy();
    return sendProblem(res, 413, 'payload_too_large', `Request body exceeds ${op.maxBodyBytes ?? MAX_BODY_BYTES} bytes`, {
      Connection: 'close',
    });
  }
  if (!isJsonContentType(req.headers['content-type'])) {
    return sendProblem(res, 415, 'unsupported_media_type', 'Content-Type must be application/json', {
      'Accept-Post': 'application/json',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return sendProblem(res, 400, 'malformed_json', 'Request body is not valid JSON');
  }
  const invalid = (field: string, detail: string) => sendProblem(res, 422, 'invalid_request', detail, {}, { field });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('body', 'Request body must be a JSON object');
  }
  const { webhookUrl: rawWebhookUrl, ...fields } = parsed as Record<string, unknown>;
  const webhook = validateWebhookUrl(rawWebhookUrl);
  if (!webhook.ok) return invalid('webhookUrl', '"webhookUrl" must be an absolute http(s) URL or null');
  const validation = op.validate(fields);
  if (!validation.ok) return invalid(validation.field, validation.detail);

  const key = idempotencyKeyOf(req);
  if (key === false) return invalid('Idempotency-Key', `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  startOrReplay(ctx, op, res, tenant, {
    params: validation.params,
    webhookUrl: webhook.url,
    idempotency: key === undefined ? undefined : { key, fingerprint: `${op.path}\n${canonicalJson(parsed)}` },
  });
}

/** The Idempotency-Key header: undefined when absent, false when malformed. */
function idempotencyKeyOf(req: IncomingMessage): string | undefined | false {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  return typeof key === 'string' && key.length > 0 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH ? key : false;
}

/** Replays the job of a repeated Idempotency-Key (same request) or creates a new job. */
function startOrReplay(
  ctx: ServerContext,
  op: AnyOperation,
  res: ServerResponse,
  tenant: string,
  request: { params: unknown; webhookUrl: string | null; idempotency?: { key: string; fingerprint: string } },
): void {
  const { idempotency } = request;
  if (idempotency) {
    const previous = ctx.engine.idempotencyEntry(tenant, idempotency.key);
    if (previous) {
      if (previous.fingerprint !== idempotency.fingerprint) {
        return sendProblem(
          res,
          422,
          'idempotency_key_reused',
          'This Idempotency-Key was already used with a different request body',
        );
      }
      const job = ctx.engine.find(previous.jobId)!;
      return sendKickoff(ctx, res, job, true);
    }
  }

  const scenario = structuredClone(ctx.scenario());
  if (op.durationMs) scenario.durationMs = op.durationMs(request.params, scenario.durationMs);
  const job = ctx.engine.create({ op, tenant, params: request.params, webhookUrl: request.webhookUrl, scenario, idempotency });
  sendKickoff(ctx, res, job, false);
}

/**
 * Kick-off with a raw upload body (imports): the body streams into the operation's parser while a pass-through
 * hashes and bounds it, so nothing but the parsed rows is held. A repeated Idempotency-Key must come with the
 * same bytes and query (sha256 fingerprint).
 */
async function kickOffUpload(
  ctx: ServerContext,
  op: AnyOperation,
  req: IncomingMessage,
  res: ServerResponse,
  tenant: string,
  search: URLSearchParams,
): Promise<void> {
  const upload = op.upload!;
  const limit = op.maxBodyBytes ?? MAX_BODY_BYTES;
  const invalid = (field: string, detail: string) => {
    req.resume();
    sendProblem(res, 422, 'invalid_request', detail, {}, { field });
  };
  const query: Record<string, string> = {};
  for (const [name, value] of search) if (name !== 'webhookUrl') query[name] = value;
  const webhook = validateWebhookUrl(search.get('webhookUrl') ?? undefined);
  if (!webhook.ok) return invalid('webhookUrl', '"webhookUrl" must be an absolute http(s) URL');
  const key = idempotencyKeyOf(req);
  if (key === false) return invalid('Idempotency-Key', `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!upload.contentTypes.includes(contentType)) {
    req.resume();
    return sendProblem(res, 415, 'unsupported_media_type', `Content-Type must be one of ${upload.contentTypes.join(', ')}`, {
      'Accept-Post': upload.contentTypes.join(', '),
    });
  }
  const tooLarge = () =>
    sendProblem(res, 413, 'payload_too_large', `Request body exceeds ${limit} bytes`, { Connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    tooLarge();
    return void req.socket.destroySoon?.();
  }

  const tap = new HashingLimit(limit);
  const broken = new Promise<'too_large' | 'aborted'>((resolve) => {
    tap.once('error', () => resolve(tap.exceeded ? 'too_large' : 'aborted'));
    req.once('close', () => {
      if (!req.complete) {
        resolve('aborted');
        tap.destroy();
      }
    });
  });
  req.pipe(tap);
  const outcome = await Promise.race([upload.accept(tap, { query, contentType, tenant }).catch(() => 'aborted' as const), broken]);
  if (tap.exceeded || outcome === 'too_large') {
    req.unpipe(tap);
    tooLarge();
    return void req.socket.destroySoon?.();
  }
  if (outcome === 'aborted') return void res.destroy();
  if (!req.readableEnded) {
    // Refused before the end of the body: discard the rest so the client can read our answer.
    req.unpipe(tap);
    req.resume();
  }
  if (!outcome.ok) return invalid(outcome.field, outcome.detail);
  const fingerprint = `${op.path}\n${canonicalJson({ ...query, webhookUrl: webhook.url })}\nsha256:${tap.digest()}`;
  startOrReplay(ctx, op, res, tenant, {
    params: outcome.params,
    webhookUrl: webhook.url,
    idempotency: key === undefined ? undefined : { key, fingerprint },
  });
}

/** Passes bytes through while hashing them; errors once more than `limit` bytes went by. */
class HashingLimit extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  exceeded = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.exceeded = true;
      return done(new Error('body too large'));
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

function sendKickoff(ctx: ServerContext, res: ServerResponse, job: JobRecord, replayed: boolean): void {
  const statusUrl = `${ctx.baseUrl()}${API_PREFIX}/jobs/${job.id}`;
  const headers: Headers = { Location: statusUrl, 'Cache-Control': 'no-store' };
  if (replayed) headers['Idempotent-Replayed'] = 'true';
  sendJson(res, 202, { jobId: job.id, statusUrl, webhookUrl: job.webhookUrl }, headers);
}
