// Generic job engine: ids, tenancy, idempotency, lazily computed timing, cancel, snapshots, outputs.
import { randomInt } from 'node:crypto';
import type { JobResult, JobSnapshot, TerminalStatus } from '../sdk/types.js';
import type { DownloadStore } from './downloads.js';
import type { OperationDefinition, OperationJob } from './operations/types.js';
import type { Scenario } from './scenario.js';
import { newWebhookId } from './webhook-delivery.js';

export type AnyOperation = OperationDefinition<unknown>;

interface FinalState {
  status: TerminalStatus;
  progress: number;
  startedAtMs?: number;
  finishedAtMs: number;
  result?: JobResult;
  error?: { code: string; message: string };
}

export interface JobRecord {
  id: string;
  seq: number;
  tenant: string;
  op: AnyOperation;
  params: unknown;
  createdAtMs: number;
  /** Captured at creation: later scenario changes do not affect this job. */
  scenario: Scenario;
  webhookUrl: string | null;
  /** Stable across delivery retries. */
  webhookId: string;
  final?: FinalState;
  timer?: NodeJS.Timeout;
}

type LiveState =
  | { status: 'queued'; fraction: 0 }
  | { status: 'running'; fraction: number; startedAtMs: number }
  | FinalState;

export interface EngineOptions {
  now: () => number;
  speed: number;
  downloads: DownloadStore;
  /** Called once, synchronously, when a job reaches its terminal state. */
  onTerminal: (job: JobRecord) => void;
}

export interface IdempotencyEntry {
  fingerprint: string;
  jobId: string;
}

const JOB_ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

function newJobId(): string {
  let id = 'job-';
  for (let i = 0; i < 16; i++) id += JOB_ID_ALPHABET[randomInt(36)];
  return id;
}

function toProgress(fraction: number): number {
  return Math.max(0, Math.min(100, Math.floor(fraction * 100 + 1e-9)));
}

export class JobEngine {
  private readonly operations = new Map<string, AnyOperation>();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly idempotency = new Map<string, IdempotencyEntry>();
  private seq = 0;

  constructor(private readonly opts: EngineOptions) {}

  register<P>(op: OperationDefinition<P>): void {
    this.operations.set(op.path, op as AnyOperation);
  }

  /** The operation whose kick-off path (under /api/v1) is `path`. */
  operationAt(path: string): AnyOperation | undefined {
    return this.operations.get(path);
  }

  idempotencyEntry(tenant: string, key: string): IdempotencyEntry | undefined {
    return this.idempotency.get(`${tenant}\u0000${key}`);
  }

  create(args: {
    op: AnyOperation;
    tenant: string;
    params: unknown;
    webhookUrl: string | null;
    scenario: Scenario;
    idempotency?: { key: string; fingerprint: string };
  }): JobRecord {
    const job: JobRecord = {
      id: newJobId(),
      seq: ++this.seq,
      tenant: args.tenant,
      op: args.op,
      params: args.params,
      createdAtMs: this.opts.now(),
      scenario: args.scenario,
      webhookUrl: args.webhookUrl,
      webhookId: newWebhookId(),
    };
    this.jobs.set(job.id, job);
    if (args.idempotency) {
      this.idempotency.set(`${args.tenant}\u0000${args.idempotency.key}`, {
        fingerprint: args.idempotency.fingerprint,
        jobId: job.id,
      });
    }
    this.scheduleTerminalCheck(job);
    return job;
  }

  /** A job by id; with `tenant`, only that tenant's job (others are invisible). */
  find(jobId: string, tenant?: string): JobRecord | undefined {
    const job = this.jobs.get(jobId);
    if (!job || (tenant !== undefined && job.tenant !== tenant)) return undefined;
    return job;
  }

  isTerminal(job: JobRecord): boolean {
    const { status } = this.observe(job);
    return status !== 'queued' && status !== 'running';
  }

  snapshot(job: JobRecord): JobSnapshot {
    const state = this.observe(job);
    const view = this.viewOf(job);
    const progress = 'progress' in state ? state.progress : toProgress(state.fraction);
    const startedAtMs = state.status === 'queued' ? undefined : state.startedAtMs;
    const snapshot: JobSnapshot = {
      jobId: job.id,
      status: state.status,
      progress,
      enqueuedAt: new Date(job.createdAtMs).toISOString(),
    };
    if (startedAtMs !== undefined) snapshot.startedAt = new Date(startedAtMs).toISOString();
    if ('finishedAtMs' in state) snapshot.finishedAt = new Date(state.finishedAtMs).toISOString();
    if ('result' in state && state.result) snapshot.result = state.result;
    if ('error' in state && state.error) snapshot.error = state.error;
    snapshot.type = job.op.type;
    snapshot.message = job.op.message(view, { status: state.status, fraction: progress / 100 });
    const total = job.op.totalUnits(view);
    if (total !== undefined) snapshot.counts = { done: Math.floor((total * progress) / 100), total, unit: job.op.unit ?? 'records' };
    if (job.op.extra) Object.assign(snapshot, job.op.extra(view, { status: state.status, fraction: progress / 100 }));
    return snapshot;
  }

  /** Cancels a queued/running job now; a terminal job is left unchanged. */
  cancel(job: JobRecord): JobSnapshot {
    const state = this.observe(job);
    if (state.status === 'queued' || state.status === 'running') {
      const startedAtMs = state.status === 'running' ? state.startedAtMs : undefined;
      this.finalize(job, 'cancelled', this.opts.now(), state.fraction, startedAtMs);
    }
    return this.snapshot(job);
  }

  /** A tenant's jobs, newest first. `beforeSeq` continues after a previous page. */
  list(
    tenant: string,
    opts: { status?: string; limit: number; beforeSeq?: number },
  ): { jobs: JobSnapshot[]; lastSeq: number | null } {
    const matches: JobRecord[] = [];
    let hasMore = false;
    const newestFirst = [...this.jobs.values()].sort((a, b) => b.seq - a.seq);
    for (const job of newestFirst) {
      if (job.tenant !== tenant) continue;
      if (opts.beforeSeq !== undefined && job.seq >= opts.beforeSeq) continue;
      if (opts.status !== undefined && this.observe(job).status !== opts.status) continue;
      if (matches.length === opts.limit) {
        hasMore = true;
        break;
      }
      matches.push(job);
    }
    return {
      jobs: matches.map((job) => this.snapshot(job)),
      lastSeq: hasMore ? matches[matches.length - 1]!.seq : null,
    };
  }

  close(): void {
    for (const job of this.jobs.values()) clearTimeout(job.timer);
  }

  private viewOf(job: JobRecord): OperationJob<unknown> {
    return { jobId: job.id, tenant: job.tenant, params: job.params };
  }

  /** Where the job is now, computed from the clock; finalizes it once its end time has passed. */
  private observe(job: JobRecord): LiveState {
    if (job.final) return job.final;
    const s = job.scenario;
    const speed = this.opts.speed;
    const elapsed = (this.opts.now() - job.createdAtMs) * speed;
    const endFraction = s.outcome === 'succeed' ? 1 : s.stopAtProgress / 100;
    const endElapsed = s.queuedMs + s.durationMs * endFraction;
    const startedAtMs = job.createdAtMs + s.queuedMs / speed;
    if (elapsed >= endElapsed) {
      const status = s.outcome === 'succeed' ? 'succeeded' : s.outcome === 'fail' ? 'failed' : 'cancelled';
      return this.finalize(job, status, job.createdAtMs + endElapsed / speed, endFraction, startedAtMs);
    }
    if (elapsed < s.queuedMs) return { status: 'queued', fraction: 0 };
    return { status: 'running', fraction: (elapsed - s.queuedMs) / s.durationMs, startedAtMs };
  }

  private finalize(
    job: JobRecord,
    status: TerminalStatus,
    finishedAtMs: number,
    fraction: number,
    startedAtMs: number | undefined,
  ): FinalState {
    const progress = toProgress(fraction);
    const final: FinalState = { status, progress, finishedAtMs };
    if (startedAtMs !== undefined) final.startedAtMs = startedAtMs;
    if (status === 'failed') {
      final.error = { code: job.scenario.errorCode, message: job.scenario.errorMessage };
    } else {
      const produced = job.op.produce(this.viewOf(job), {
        status,
        progress: status === 'succeeded' ? 100 : progress,
        finishedAt: new Date(finishedAtMs),
      });
      if (produced && 'error' in produced) {
        final.status = 'failed';
        final.error = produced.error;
      } else if (produced) {
        const download = produced.file
          ? this.opts.downloads.add(job.id, produced.file, {
              createdAtMs: finishedAtMs,
              corrupt: job.scenario.corruptDownload,
              dropAfterBytes: job.scenario.dropDownloadAfterBytes,
            })
          : undefined;
        final.result = download ? { download, ...produced.result } : produced.result;
      }
    }
    job.final = final;
    clearTimeout(job.timer);
    this.opts.onTerminal(job);
    return final;
  }

  /** An unref'd timer at the terminal moment, only so webhooks go out without anyone polling. */
  private scheduleTerminalCheck(job: JobRecord): void {
    const s = job.scenario;
    const endFraction = s.outcome === 'succeed' ? 1 : s.stopAtProgress / 100;
    const endElapsed = s.queuedMs + s.durationMs * endFraction;
    const remainingMs = (endElapsed - (this.opts.now() - job.createdAtMs) * this.opts.speed) / this.opts.speed;
    // With an injected clock the job may not be due yet when the timer fires: check again later.
    job.timer = setTimeout(() => {
      if (!this.isTerminal(job)) this.scheduleTerminalCheck(job);
    }, Math.max(remainingMs, 25));
    job.timer.unref();
  }
}
