import { access, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { QehsClient } from '../sdk/client.js';
import { isTerminalStatus, type DownloadInfo, type JobSnapshot } from '../sdk/types.js';
import type { WebhookEvent, WebhookRejection } from '../sdk/webhooks/receiver.js';
import type { Context } from './context.js';
import { EXIT, InterruptedError, UsageError, exitCodeForError, exitCodeForSnapshot } from './exit-codes.js';
import type { LocalFacts, Outcome, Renderer } from './output/events.js';
import type { WebhookWait } from './webhook-wait.js';

/** Where a result file goes: a path, '-' for stdout, or undefined for a name derived from the job. */
export interface OutputTarget {
  output?: string;
  force: boolean;
}

export interface FollowRequest extends OutputTarget {
  jobId: string;
  kind: string;
  statusUrl?: string;
  reattached?: boolean;
  cancelOnInterrupt: boolean;
  /** Also download the partial output a cancelled export keeps (only when the user named -o). */
  downloadPartial?: boolean;
  /** Skip downloading entirely (`--no-download`). */
  download?: boolean;
  /** Human lines about the result (from the operation command). */
  summarize?: (snapshot: JobSnapshot) => string[];
  /** --webhook: a verified terminal delivery for this job ends the wait at once. */
  webhook?: WebhookWait;
}

/**
 * Checks an explicit output path before anything is sent: no job is started whose file could not land.
 */
export async function checkOutputTarget(ctx: Context, target: OutputTarget): Promise<void> {
  if (target.output === '-' && ctx.globals.json) {
    throw new UsageError('--json and -o - both write to stdout', 'write the file with -o PATH, or drop --json');
  }
  if (target.output === undefined || target.output === '-') return;
  await checkLocalTarget(ctx, target.output, '-o', target.force);
}

/** A file the command will write later (-o, --errors-out): refuse a directory, an existing file without --force, a missing folder. */
export async function checkLocalTarget(ctx: Context, target: string, flag: string, force: boolean): Promise<void> {
  const path = resolve(ctx.io.cwd, target);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`${flag} ${target} is a directory`, `name a file, e.g. ${flag} results.csv`);
  if (existing && !force) {
    throw new UsageError(`${target} already exists; nothing was sent`, `pass --force to replace it, or choose another ${flag} path`);
  }
  try {
    await access(dirname(path));
  } catch {
    throw new UsageError(`The folder of ${flag} ${target} does not exist`, `create ${dirname(path)} first`);
  }
}

/** How a followed job ended: the exit code, and the final snapshot when there is one. */
export interface FollowResult {
  exitCode: number;
  snapshot?: JobSnapshot;
}

/**
 * The one follow path of every command that waits: stream events to the renderer, download the result,
 * honour Ctrl-C (detach or cancel), and turn the end into an exit code.
 */
export async function followJob(ctx: Context, request: FollowRequest): Promise<FollowResult> {
  const client = await ctx.client();
  const renderer = await ctx.renderer();
  const journal = await ctx.journal();
  const interrupt = new AbortController();
  const unsubscribe = ctx.io.onInterrupt((signal) => interrupt.abort(new InterruptedError(signal)));
  const local: LocalFacts = {};
  let last: JobSnapshot | undefined;
  const wake = new AbortController();
  let stopListening: (() => void) | undefined;
  try {
    renderer.handle({ type: 'job-started', jobId: request.jobId, kind: request.kind, statusUrl: request.statusUrl, reattached: request.reattached, at: ctx.now() });
    if (request.webhook) stopListening = listenForCompletion(ctx, request.webhook, request.jobId, renderer, wake);
    const snapshot = await client.jobs.follow(
      request.jobId,
      {
        signal: interrupt.signal,
        deadline: ctx.deadline,
        statusUrl: request.statusUrl,
        wake: wake.signal,
        minIntervalMs: request.webhook?.fallbackMs,
      },
      (event) => {
        last = event.snapshot;
        renderer.handle({ type: 'job', event });
      },
    );
    last = snapshot;
    await journal.update(request.jobId, { status: snapshot.status }).catch(() => {});
    for (const line of request.summarize?.(snapshot) ?? []) {
      renderer.handle({ type: 'notice', level: 'info', message: line, at: ctx.now() });
    }
    const download = snapshot.result?.download;
    const wanted =
      request.download !== false &&
      download &&
      (snapshot.status === 'succeeded' || (snapshot.status === 'cancelled' && request.downloadPartial));
    if (wanted) {
      local.output = await saveResult(ctx, client, renderer, snapshot, download, request, interrupt.signal);
    } else if (snapshot.status === 'cancelled' && download && !request.downloadPartial) {
      renderer.handle({
        type: 'notice',
        level: 'info',
        message: `Partial output was kept; fetch it with: qehs jobs watch ${snapshot.jobId} -o FILE`,
        at: ctx.now(),
      });
    }
    return finish(renderer, { snapshot, local, exitCode: exitCodeForSnapshot(snapshot) });
  } catch (error) {
    if (error instanceof InterruptedError) return interrupted(ctx, client, renderer, request, last, local);
    return finish(renderer, failure(error, last, local));
  } finally {
    stopListening?.();
    unsubscribe();
    renderer.close();
  }
}

/** Wakes the poller when a verified terminal delivery for this job arrives; reports rejected deliveries. */
function listenForCompletion(ctx: Context, webhook: WebhookWait, jobId: string, renderer: Renderer, wake: AbortController): () => void {
  const onEvent = (event: WebhookEvent) => {
    const payload = event.payload as Partial<JobSnapshot> | null;
    if (payload?.jobId !== jobId || typeof payload.status !== 'string' || !isTerminalStatus(payload.status)) return;
    renderer.handle({ type: 'notice', level: 'info', message: `Signed webhook ${event.id} received: job ${payload.status}`, at: ctx.now() });
    wake.abort();
  };
  const onRejected = (rejection: WebhookRejection) =>
    renderer.handle({ type: 'notice', level: 'warn', message: `Rejected a webhook delivery (${rejection.status} ${rejection.reason}): ${rejection.detail}`, at: ctx.now() });
  const onError = (error: Error) => renderer.handle({ type: 'notice', level: 'warn', message: `Webhook listener error: ${error.message}; falling back to polling`, at: ctx.now() });
  webhook.receiver.on('event', onEvent);
  webhook.receiver.on('rejected', onRejected);
  webhook.receiver.on('error', onError);
  renderer.handle({ type: 'notice', level: 'info', message: `Waiting for the signed webhook at ${redactPath(webhook.url)}`, at: ctx.now() });
  return () => {
    webhook.receiver.off('event', onEvent);
    webhook.receiver.off('rejected', onRejected);
    webhook.receiver.off('error', onError);
  };
}

/** The listener path is a capability: show where, not the token. */
function redactPath(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}/…`;
}

async function saveResult(
  ctx: Context,
  client: QehsClient,
  renderer: Renderer,
  snapshot: JobSnapshot,
  download: DownloadInfo,
  request: FollowRequest,
  signal: AbortSignal,
): Promise<NonNullable<LocalFacts['output']>> {
  const target = request.output ?? defaultFileName(snapshot, download, request.kind);
  const toStdout = target === '-';
  const path = toStdout ? '-' : resolve(ctx.io.cwd, target);
  renderer.handle({ type: 'download-started', path: toStdout ? '-' : target, totalBytes: download.sizeBytes, at: ctx.now() });
  const onProgress = (p: { bytes: number; totalBytes?: number }) =>
    renderer.handle({ type: 'download-progress', bytes: p.bytes, totalBytes: p.totalBytes, at: ctx.now() });
  const options = { signal, deadline: ctx.deadline, force: request.force, onProgress };
  const result = toStdout ? await client.downloadTo(download, ctx.io.stdout, options) : await client.download(download, path, options);
  renderer.handle({ type: 'download-finished', path: toStdout ? '-' : target, bytes: result.bytes, sha256: result.sha256, at: ctx.now() });
  return { path, bytes: result.bytes, sha256: result.sha256 };
}

async function interrupted(
  ctx: Context,
  client: QehsClient,
  renderer: Renderer,
  request: FollowRequest,
  last: JobSnapshot | undefined,
  local: LocalFacts,
): Promise<FollowResult> {
  if (request.cancelOnInterrupt) {
    try {
      const snapshot = await client.jobs.cancel(request.jobId, { signal: AbortSignal.timeout(10_000) });
      renderer.handle({ type: 'notice', level: 'info', message: `Cancelled job ${request.jobId} (now ${snapshot.status})`, at: ctx.now() });
      return finish(renderer, { snapshot, local, exitCode: EXIT.interrupted, errorMessage: 'Interrupted; the job was cancelled', errorCode: 'interrupted' });
    } catch (error) {
      renderer.handle({ type: 'notice', level: 'warn', message: `Could not cancel job ${request.jobId}: ${(error as Error).message}`, at: ctx.now() });
    }
  }
  local.detached = true;
  renderer.handle({
    type: 'detached',
    jobId: request.jobId,
    hint: `Detached from ${request.jobId}; it keeps running. Re-attach with: qehs jobs watch ${request.jobId}`,
    at: ctx.now(),
  });
  return finish(renderer, { snapshot: last, local, exitCode: EXIT.interrupted, errorCode: 'interrupted' });
}

export function failure(error: unknown, snapshot: JobSnapshot | undefined, local: LocalFacts): Outcome {
  const hint = error instanceof UsageError && error.hint ? ` (${error.hint})` : '';
  return {
    snapshot,
    local,
    exitCode: exitCodeForError(error),
    errorMessage: `${(error as Error)?.message ?? String(error)}${hint}`,
    errorCode: (error as { code?: string })?.code ?? (error as Error)?.name ?? 'error',
  };
}

function finish(renderer: Renderer, outcome: Outcome): FollowResult {
  renderer.handle({ type: 'done', outcome });
  return { exitCode: outcome.exitCode, snapshot: outcome.snapshot };
}

const EXTENSIONS: Record<string, string> = {
  'text/csv': '.csv',
  'application/json': '.json',
  'application/zip': '.zip',
  'application/x-ndjson': '.ndjson',
  'application/xml': '.xml',
};

/** A safe local name from the server's suggestion (never a path), else kind-jobId.ext. */
export function defaultFileName(snapshot: JobSnapshot, download: DownloadInfo, kind: string): string {
  const suggested = download.fileName ? basename(download.fileName.replace(/\\/g, '/')).replace(/[^\w.\-]+/g, '_') : '';
  if (suggested && suggested !== '.' && suggested !== '..' && !suggested.startsWith('.')) return suggested;
  const ext = EXTENSIONS[download.contentType?.split(';')[0]?.trim() ?? ''] ?? '.bin';
  return `${kind}-${snapshot.jobId}${ext}`;
}
