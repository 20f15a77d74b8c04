import { describe, expect, it } from 'vitest';
import { AbortedError, DeadlineExceededError, JobFailedError, ServerError } from '../../src/sdk/errors.js';
import type { JobEvent } from '../../src/sdk/job-events.js';
import { Jobs } from '../../src/sdk/jobs.js';
import type { JobSnapshot } from '../../src/sdk/types.js';
import { json, mockApi } from '../helpers/mock-api.js';

/**
 * A scripted job on the mock API: status is computed from the fake clock, so a job that "takes T ms"
 * finishes when T ms of (fake) sleeping have passed since the first poll.
 */
function scriptedJob(options: { takesMs: number; retryAfter?: string | ((now: number) => string | undefined); status?: (elapsed: number) => string }) {
  const api = mockApi();
  const jobs = new Jobs(api.http);
  let firstAt: number | undefined;
  api.pool
    .intercept({ path: '/api/v1/jobs/job-1', method: 'GET' })
    .reply((opts) => {
      api.record(opts);
      firstAt ??= api.clock.now();
      const elapsed = api.clock.now() - firstAt;
      const done = elapsed >= options.takesMs;
      const status = done ? 'succeeded' : (options.status?.(elapsed) ?? (elapsed === 0 ? 'queued' : 'running'));
      const snapshot: JobSnapshot = {
        jobId: 'job-1',
        status,
        progress: Math.min(100, Math.floor((elapsed / options.takesMs) * 100)),
        enqueuedAt: '2026-04-01T12:00:00Z',
        ...(done ? { result: { records: 3 } } : {}),
      };
      const retryAfter = typeof options.retryAfter === 'function' ? options.retryAfter(api.clock.now()) : options.retryAfter;
      return { statusCode: 200, ...json(snapshot, !done && retryAfter !== undefined ? { 'retry-after': retryAfter } : {}) };
    })
    .persist();
  return { api, jobs };
}

async function collect(stream: AsyncGenerator<JobEvent, JobSnapshot>) {
  const events: JobEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('jobs.stream polling', () => {
  it('makes exactly ceil(T/R)+1 requests for a job of T ms with Retry-After R s, never earlier than R', async () => {
    const { api, jobs } = scriptedJob({ takesMs: 12_000, retryAfter: '5' });
    const events = await collect(jobs.stream('job-1'));
    expect(api.calls).toHaveLength(4); // t = 0, 5, 10, 15 s
    expect(api.clock.sleeps).toEqual([5000, 5000, 5000]);
    const gaps = api.calls.slice(1).map((call, i) => call.at - api.calls[i]!.at);
    expect(gaps.every((gap) => gap >= 5000)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['status', 'status', 'progress', 'terminal']);
    expect(events.at(-1)!.snapshot.status).toBe('succeeded');
  });

  it('honours an HTTP-date Retry-After', async () => {
    const { api, jobs } = scriptedJob({
      takesMs: 7_000,
      retryAfter: (now) => new Date(now + 7_000).toUTCString(),
    });
    await collect(jobs.stream('job-1'));
    expect(api.calls).toHaveLength(2);
    expect(api.clock.sleeps).toEqual([7000]);
  });

  it('clamps Retry-After: 0 to the minimum interval instead of hot-looping', async () => {
    const { api, jobs } = scriptedJob({ takesMs: 1_000, retryAfter: '0' });
    await collect(jobs.stream('job-1', { minIntervalMs: 250 }));
    expect(api.clock.sleeps).toEqual([250, 250, 250, 250]);
    expect(api.calls).toHaveLength(5);
  });

  it('treats garbage Retry-After as missing: default interval, backing off while nothing changes', async () => {
    const { api, jobs } = scriptedJob({ takesMs: 20_000, retryAfter: 'soon-ish', status: () => 'queued' });
    // progress changes every poll here, so the interval stays at the default
    await collect(jobs.stream('job-1', { defaultIntervalMs: 2000 }));
    expect(new Set(api.clock.sleeps)).toEqual(new Set([2000]));

    const frozen = mockApi();
    frozen.pool
      .intercept({ path: '/api/v1/jobs/job-2', method: 'GET' })
      .reply((opts) => {
        frozen.record(opts);
        const done = frozen.calls.length >= 4;
        return { statusCode: 200, ...json({ jobId: 'job-2', status: done ? 'succeeded' : 'running', progress: 10, enqueuedAt: 'x' }) };
      })
      .persist();
    await collect(new Jobs(frozen.http).stream('job-2', { defaultIntervalMs: 2000 }));
    expect(frozen.clock.sleeps).toEqual([2000, 3000, 4500]);
  });

  it('caps an absurd Retry-After at the maximum interval (no 2^31 ms overflow)', async () => {
    const { api, jobs } = scriptedJob({ takesMs: 1, retryAfter: '999999999' });
    await collect(jobs.stream('job-1', { maxIntervalMs: 600_000, heartbeatMs: 600_000 }));
    expect(api.clock.sleeps).toEqual([600_000]);
  });

  it('yields heartbeats while waiting a long Retry-After, without extra requests', async () => {
    const { api, jobs } = scriptedJob({ takesMs: 25_000, retryAfter: '25' });
    const events = await collect(jobs.stream('job-1', { heartbeatMs: 10_000 }));
    expect(api.calls).toHaveLength(2);
    expect(api.clock.sleeps).toEqual([10_000, 10_000, 5_000]);
    const heartbeats = events.filter((e) => e.type === 'heartbeat');
    expect(heartbeats).toHaveLength(2);
    expect(heartbeats.map((h) => (h as { sinceChangeMs: number }).sinceChangeMs)).toEqual([10_000, 20_000]);
  });

  it('checks the deadline before each sleep and stops at it', async () => {
    const { api, jobs } = scriptedJob({ takesMs: 60_000, retryAfter: '5' });
    const deadline = api.clock.now() + 7_000;
    await expect(collect(jobs.stream('job-1', { deadline }))).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(api.calls).toHaveLength(2); // t = 0 and 5 s
    expect(api.clock.now()).toBe(deadline);
  });

  it('waits on unknown statuses like running', async () => {
    const { api, jobs } = scriptedJob({ takesMs: 10_000, retryAfter: '5', status: () => 'paused-for-maintenance' });
    const events = await collect(jobs.stream('job-1'));
    expect(api.calls).toHaveLength(3);
    expect(events[0]!.snapshot.status).toBe('paused-for-maintenance');
    expect(events.at(-1)!.type).toBe('terminal');
  });

  it('stops with AbortedError when the signal fires', async () => {
    const { jobs } = scriptedJob({ takesMs: 60_000, retryAfter: '5' });
    const controller = new AbortController();
    const stream = jobs.stream('job-1', { signal: controller.signal });
    await stream.next();
    controller.abort();
    await expect(stream.next()).rejects.toBeInstanceOf(AbortedError);
  });

  it('rejects an answer that is not a snapshot', async () => {
    const api = mockApi();
    api.pool.intercept({ path: '/api/v1/jobs/job-9', method: 'GET' }).reply(200, { hello: 'world' }, { headers: { 'content-type': 'application/json' } });
    await expect(new Jobs(api.http).get('job-9')).rejects.toBeInstanceOf(ServerError);
  });
});

describe('jobs.await / list', () => {
  it('returns the result of a succeeded job', async () => {
    const { jobs } = scriptedJob({ takesMs: 5_000, retryAfter: '5' });
    await expect(jobs.await('job-1')).resolves.toEqual({ records: 3 });
  });

  it('throws JobFailedError carrying the error code for a failed job', async () => {
    const api = mockApi();
    api.pool
      .intercept({ path: '/api/v1/jobs/job-3', method: 'GET' })
      .reply(200, { jobId: 'job-3', status: 'failed', enqueuedAt: 'x', error: { code: 'EXPORT_STORAGE_UNAVAILABLE', message: 'disk' } }, { headers: { 'content-type': 'application/json' } });
    const error = await new Jobs(api.http).await('job-3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).code).toBe('EXPORT_STORAGE_UNAVAILABLE');
  });

  it('reports a server without the list endpoint as unsupported', async () => {
    const api = mockApi();
    api.pool.intercept({ path: /^\/api\/v1\/jobs\?/, method: 'GET' }).reply(404, { title: 'Not Found', status: 404 }, { headers: { 'content-type': 'application/problem+json' } });
    await expect(new Jobs(api.http).list({ limit: 5 })).resolves.toEqual({ supported: false, jobs: [], nextCursor: null });
  });
});

describe('jobs.stream woken by a webhook', () => {
  function wakeable(terminalOnCall: number) {
    const api = mockApi();
    const wake = new AbortController();
    api.pool
      .intercept({ path: '/api/v1/jobs/job-w', method: 'GET' })
      .reply((opts) => {
        api.record(opts);
        // The "webhook" arrives right after the first poll.
        if (api.calls.length === 1) wake.abort();
        const done = api.calls.length >= terminalOnCall;
        return { statusCode: 200, ...json({ jobId: 'job-w', status: done ? 'succeeded' : 'running', progress: 50, enqueuedAt: 'x' }, done ? {} : { 'retry-after': '30' }) };
      })
      .persist();
    return { api, jobs: new Jobs(api.http), wake };
  }

  it('polls at once when woken: 2 requests in total, no waiting', async () => {
    const { api, jobs, wake } = wakeable(2);
    const events = await collect(jobs.stream('job-w', { wake: wake.signal }));
    expect(api.calls).toHaveLength(2);
    expect(api.clock.sleeps).toEqual([]);
    expect(events.at(-1)!.type).toBe('terminal');
  });

  it('uses the wake once: a stale answer falls back to the Retry-After interval, never a hot loop', async () => {
    const { api, jobs, wake } = wakeable(3);
    await collect(jobs.stream('job-w', { wake: wake.signal, heartbeatMs: 30_000 }));
    expect(api.calls).toHaveLength(3);
    expect(api.clock.sleeps).toEqual([30_000]);
  });
});

describe('jobs.stream change detection', () => {
  it('a change in per-part progress alone is a progress event', async () => {
    const api = mockApi();
    api.pool
      .intercept({ path: '/api/v1/jobs/job-p', method: 'GET' })
      .reply((opts) => {
        api.record(opts);
        const n = api.calls.length;
        const parts = [{ name: 'incidents', phase: n >= 2 ? 'done' : 'copying', done: n >= 2 ? 10 : 5, total: 10 }];
        return { statusCode: 200, ...json({ jobId: 'job-p', status: n >= 3 ? 'succeeded' : 'running', progress: 50, enqueuedAt: 'x', parts }, { 'retry-after': '1' }) };
      })
      .persist();
    const events = await collect(new Jobs(api.http).stream('job-p'));
    expect(events.map((e) => e.type)).toEqual(['status', 'progress', 'terminal']);
  });
});
