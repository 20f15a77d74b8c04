import { JobCancelledError, JobFailedError, NotFoundError, ServerError, ValidationError, DeadlineExceededError } from './errors.js';
import { headerValue } from './headers.js';
import type { HttpClient } from './http.js';
import type { JobEvent } from './job-events.js';
import { abortReason, clampDelay, parseRetryAfter } from './timing.js';
import { isTerminalStatus, type JobListPage, type JobResult, type JobSnapshot, type JobStatus } from './types.js';

export interface PollOptions {
  signal?: AbortSignal;
  /** Epoch ms; polling stops with DeadlineExceededError once it passes. */
  deadline?: number;
  /** Poll this URL (a kick-off's Location) instead of /api/v1/jobs/{id}. */
  statusUrl?: string;
  /** Interval when the server sends no usable Retry-After. Grows while nothing changes. */
  defaultIntervalMs?: number;
  /** Floor for any interval (Retry-After: 0 must not become a hot loop). */
  minIntervalMs?: number;
  /** Ceiling for any interval (an absurd Retry-After must not stall the client for days). */
  maxIntervalMs?: number;
  /** A heartbeat event is yielded at least this often while waiting. */
  heartbeatMs?: number;
  /**
   * When this fires (e.g. a verified webhook said the job ended), the current wait ends and the job is
   * polled at once. It takes effect once, so a stale answer cannot turn into a hot loop.
   */
  wake?: AbortSignal;
}

export const POLL_DEFAULTS = {
  defaultIntervalMs: 2_000,
  minIntervalMs: 250,
  maxIntervalMs: 10 * 60_000,
  heartbeatMs: 10_000,
  maxFallbackIntervalMs: 30_000,
} as const;

export interface ListOptions {
  status?: JobStatus;
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

export type JobList = (JobListPage & { supported: true }) | { supported: false; jobs: []; nextCursor: null };

export class Jobs {
  constructor(private readonly http: HttpClient) {}

  async get(jobId: string, options: { signal?: AbortSignal; deadline?: number; statusUrl?: string } = {}): Promise<JobSnapshot> {
    return (await this.fetchSnapshot(jobId, options)).snapshot;
  }

  /** Best-effort cancel. A job already terminal comes back unchanged. */
  async cancel(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobSnapshot> {
    const response = await this.http.requestJson<unknown>({ method: 'DELETE', path: jobPath(jobId), signal: options.signal });
    return asSnapshot(response.body, jobId);
  }

  /** Lists jobs, newest first. A server without the list extension answers 404: reported as unsupported. */
  async list(options: ListOptions = {}): Promise<JobList> {
    try {
      const response = await this.http.requestJson<JobListPage>({
        method: 'GET',
        path: '/api/v1/jobs',
        query: { status: options.status, limit: options.limit, cursor: options.cursor },
        signal: options.signal,
      });
      const page = response.body;
      if (!page || !Array.isArray(page.jobs)) throw new ServerError('The job list answer has no "jobs" array', { code: 'bad_response' });
      return { supported: true, jobs: page.jobs, nextCursor: page.nextCursor ?? null };
    } catch (error) {
      if (error instanceof NotFoundError) return { supported: false, jobs: [], nextCursor: null };
      throw error;
    }
  }

  /**
   * Follows a job to its end, yielding typed events. Honours Retry-After as a minimum delay, clamps
   * garbage values, checks the deadline before each sleep, and waits on unknown statuses like `running`.
   */
  async *stream(jobId: string, options: PollOptions = {}): AsyncGenerator<JobEvent, JobSnapshot, void> {
    const settings = { ...POLL_DEFAULTS, ...definedOnly(options) };
    const clock = this.http.clock;
    let previous: JobSnapshot | undefined;
    let lastChangeAt = clock.now();
    let unchangedPolls = 0;
    let wakeUsed = false;
    for (;;) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const { snapshot, retryAfter } = await this.fetchSnapshot(jobId, options);
      const at = clock.now();
      if (isTerminalStatus(snapshot.status)) {
        yield { type: 'terminal', snapshot, at };
        return snapshot;
      }
      if (!previous || previous.status !== snapshot.status) {
        yield { type: 'status', snapshot, previous, at };
      } else if (hasProgressed(previous, snapshot)) {
        yield { type: 'progress', snapshot, previous, at };
      }
      if (!previous || previous.status !== snapshot.status || hasProgressed(previous, snapshot)) {
        lastChangeAt = at;
        unchangedPolls = 0;
      } else {
        unchangedPolls++;
      }
      previous = snapshot;

      const fallback = Math.min(settings.defaultIntervalMs * 1.5 ** unchangedPolls, settings.maxFallbackIntervalMs);
      const delay = clampDelay(parseRetryAfter(retryAfter, at), fallback, {
        minMs: settings.minIntervalMs,
        maxMs: settings.maxIntervalMs,
      });
      // Sleep in heartbeat-sized slices so renderers can show life without extra requests.
      const wakeAt = at + delay;
      for (;;) {
        const now = clock.now();
        if (options.deadline !== undefined && now >= options.deadline) throw deadlineError(jobId, snapshot);
        const remaining = wakeAt - now;
        if (remaining <= 0) break;
        if (options.wake?.aborted && !wakeUsed) {
          wakeUsed = true;
          break;
        }
        const untilDeadline = options.deadline === undefined ? Infinity : options.deadline - now;
        const woken = await this.sleepUnlessWoken(Math.min(remaining, settings.heartbeatMs, untilDeadline), options, wakeUsed);
        if (woken) {
          wakeUsed = true;
          break;
        }
        const after = clock.now();
        if (after < wakeAt && (options.deadline === undefined || after < options.deadline)) {
          yield { type: 'heartbeat', snapshot, at: after, sinceChangeMs: after - lastChangeAt };
        }
      }
    }
  }

  /** Polls to completion and returns the job's result; throws JobFailedError / JobCancelledError otherwise. */
  async await(jobId: string, options: PollOptions = {}): Promise<JobResult | undefined> {
    const snapshot = await this.follow(jobId, options);
    if (snapshot.status === 'failed') throw new JobFailedError(snapshot);
    if (snapshot.status === 'cancelled') throw new JobCancelledError(snapshot);
    return snapshot.result;
  }

  /** Drains `stream` and returns the terminal snapshot, whatever the outcome. */
  async follow(jobId: string, options: PollOptions = {}, onEvent?: (event: JobEvent) => void): Promise<JobSnapshot> {
    const events = this.stream(jobId, options);
    for (;;) {
      const next = await events.next();
      if (next.done) return next.value;
      onEvent?.(next.value);
    }
  }

  /** Sleeps; returns true when the (unused) wake signal cut the sleep short. */
  private async sleepUnlessWoken(ms: number, options: PollOptions, wakeUsed: boolean): Promise<boolean> {
    const wake = wakeUsed ? undefined : options.wake;
    if (!wake) {
      await this.http.clock.sleep(ms, options.signal);
      return false;
    }
    const both = options.signal ? AbortSignal.any([options.signal, wake]) : wake;
    try {
      await this.http.clock.sleep(ms, both);
      return false;
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      if (wake.aborted) return true;
      throw error;
    }
  }

  private async fetchSnapshot(
    jobId: string,
    options: { signal?: AbortSignal; deadline?: number; statusUrl?: string },
  ): Promise<{ snapshot: JobSnapshot; retryAfter?: string }> {
    const response = await this.http.requestJson<unknown>({
      method: 'GET',
      path: options.statusUrl ?? jobPath(jobId),
      signal: options.signal,
      deadline: options.deadline,
    });
    return { snapshot: asSnapshot(response.body, jobId), retryAfter: headerValue(response.headers, 'retry-after') };
  }
}

export function jobPath(jobId: string): string {
  if (!jobId || !jobId.trim()) throw new ValidationError('A job id is required', { code: 'invalid_job_id' });
  return `/api/v1/jobs/${encodeURIComponent(jobId.trim())}`;
}

/** Rejects answers that are not a status snapshot rather than misreading them. */
export function asSnapshot(body: unknown, jobId: string): JobSnapshot {
  const candidate = body as Partial<JobSnapshot> | null;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.status !== 'string' || typeof candidate.jobId !== 'string') {
    throw new ServerError(`The server's answer for job ${jobId} is not a job status snapshot`, { code: 'bad_response' });
  }
  if (candidate.progress !== undefined && (typeof candidate.progress !== 'number' || !Number.isFinite(candidate.progress))) {
    delete candidate.progress;
  }
  return candidate as JobSnapshot;
}

function hasProgressed(before: JobSnapshot, after: JobSnapshot): boolean {
  return (
    before.progress !== after.progress ||
    before.message !== after.message ||
    JSON.stringify(before.counts) !== JSON.stringify(after.counts) ||
    JSON.stringify(before.parts) !== JSON.stringify(after.parts)
  );
}

function deadlineError(jobId: string, snapshot: JobSnapshot): DeadlineExceededError {
  const progress = snapshot.progress === undefined ? '' : ` at ${snapshot.progress}%`;
  return new DeadlineExceededError(`Timed out waiting for job ${jobId} (last seen ${snapshot.status}${progress})`, {
    code: 'deadline_exceeded',
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
