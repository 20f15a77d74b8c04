import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, kickOffExport, manualClock, sandbox } from './helpers.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function clockedSandbox(opts: Parameters<typeof sandbox>[0] = {}) {
  const clock = manualClock();
  const sb = await sandbox({ now: clock.now, ...opts });
  open.push(sb);
  return { sb, clock };
}

const getJob = (sb: Sandbox, id: string) => call(sb, 'GET', `/api/v1/jobs/${id}`);

describe('state machine over time', () => {
  it('goes queued -> running (linear progress) -> succeeded with a result', async () => {
    const { sb, clock } = await clockedSandbox();
    const start = clock.now();
    const { json: kick } = await kickOffExport(sb, { format: 'csv' });

    const queued = await getJob(sb, kick.jobId);
    expect(queued.status).toBe(200);
    expect(queued.json).toMatchObject({ jobId: kick.jobId, status: 'queued', progress: 0, type: 'export', message: 'Waiting for a worker' });
    expect(queued.json.enqueuedAt).toBe(new Date(start).toISOString());
    expect(queued.json.startedAt).toBeUndefined();
    expect(queued.headers.get('retry-after')).toBe('1');
    expect(queued.headers.get('cache-control')).toBe('no-store');

    clock.advance(1500 + 1000); // 1 s into a 4 s run
    const running = await getJob(sb, kick.jobId);
    expect(running.json).toMatchObject({ status: 'running', progress: 25, counts: { done: 20, total: 80, unit: 'records' } });
    expect(running.json.startedAt).toBe(new Date(start + 1500).toISOString());
    expect(running.json.message).toMatch(/^Collecting /);
    expect(running.json.result).toBeUndefined();
    expect(running.headers.get('retry-after')).toBe('1');

    clock.advance(3000);
    const done = await getJob(sb, kick.jobId);
    expect(done.json).toMatchObject({ status: 'succeeded', progress: 100, message: 'Done' });
    expect(done.json.finishedAt).toBe(new Date(start + 5500).toISOString());
    expect(done.json.result).toMatchObject({ records: 80, format: 'csv' });
    expect(done.json.result.download.url).toMatch(new RegExp(`^${sb.url}/files/`));
    expect(done.json.error).toBeUndefined();
    expect(done.headers.get('retry-after')).toBeNull();
    expect(done.headers.get('cache-control')).toBe('no-store');
  });

  it('scales time by speed', async () => {
    const { sb, clock } = await clockedSandbox({ speed: 10 });
    const { json: kick } = await kickOffExport(sb);
    clock.advance(150 + 200); // = 1500 + 2000 sandbox ms
    expect((await getJob(sb, kick.jobId)).json).toMatchObject({ status: 'running', progress: 50 });
    clock.advance(200);
    expect((await getJob(sb, kick.jobId)).json.status).toBe('succeeded');
  });

  it('uses the retryAfter scenario value as given, or omits it when null', async () => {
    const { sb } = await clockedSandbox({ scenario: { retryAfter: 'garbage' } });
    const a = await kickOffExport(sb);
    sb.setScenario({ retryAfter: null });
    const b = await kickOffExport(sb);
    expect((await getJob(sb, a.json.jobId)).headers.get('retry-after')).toBe('garbage');
    expect((await getJob(sb, b.json.jobId)).headers.get('retry-after')).toBeNull();
  });

  it('fails at stopAtProgress with the scenario error code and no result', async () => {
    const { sb, clock } = await clockedSandbox({ scenario: { outcome: 'fail', stopAtProgress: 40 } });
    const { json: kick } = await kickOffExport(sb);
    clock.advance(1500 + 1000);
    expect((await getJob(sb, kick.jobId)).json.status).toBe('running');
    clock.advance(600); // 40 % of 4 s = 1.6 s
    const failed = await getJob(sb, kick.jobId);
    expect(failed.json).toMatchObject({ status: 'failed', progress: 40, error: { code: 'EXPORT_STORAGE_UNAVAILABLE' } });
    expect(failed.json.error.message).toEqual(expect.any(String));
    expect(failed.json.result).toBeUndefined();
    expect(failed.headers.get('retry-after')).toBeNull();
  });

  it('captures the scenario per job at creation', async () => {
    const { sb, clock } = await clockedSandbox();
    const before = await kickOffExport(sb);
    sb.setScenario({ outcome: 'fail' });
    const after = await kickOffExport(sb);
    clock.advance(10_000);
    expect(sb.job(before.json.jobId)?.status).toBe('succeeded');
    expect(sb.job(after.json.jobId)?.status).toBe('failed');
  });

  it('server-side cancellation keeps partial output', async () => {
    const { sb, clock } = await clockedSandbox({ scenario: { outcome: 'cancel', stopAtProgress: 50 } });
    const { json: kick } = await kickOffExport(sb, { format: 'csv' });
    clock.advance(10_000);
    const snap = (await getJob(sb, kick.jobId)).json;
    expect(snap).toMatchObject({ status: 'cancelled', progress: 50, result: { partial: true, records: 40 } });
  });
});

describe('cancel', () => {
  it('cancels a running export and keeps a partial, parseable CSV', async () => {
    const { sb, clock } = await clockedSandbox();
    const { json: kick } = await kickOffExport(sb, { format: 'csv' });
    clock.advance(1500 + 1000); // 25 %
    const res = await call(sb, 'DELETE', `/api/v1/jobs/${kick.jobId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toMatchObject({ status: 'cancelled', progress: 25, finishedAt: new Date(clock.now()).toISOString() });
    expect(res.json.result).toMatchObject({ partial: true, records: 20 });

    const file = await fetch(res.json.result.download.url);
    const rows = parse(await file.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(20);
    expect(rows[0]!.entity).toBe('incidents');

    clock.advance(60_000); // stays cancelled
    expect((await getJob(sb, kick.jobId)).json.status).toBe('cancelled');
  });

  it('cancels a queued JSON export: valid JSON with no records, no startedAt', async () => {
    const { sb } = await clockedSandbox();
    const { json: kick } = await kickOffExport(sb, { format: 'json' });
    const res = await call(sb, 'DELETE', `/api/v1/jobs/${kick.jobId}`);
    expect(res.json.status).toBe('cancelled');
    expect(res.json.startedAt).toBeUndefined();
    const doc = JSON.parse(sb.outputOf(kick.jobId)!.toString('utf8'));
    expect(doc).toMatchObject({ tenant: 'acme', incidents: [], observations: [] });
  });

  it('returns a terminal job unchanged', async () => {
    const { sb, clock } = await clockedSandbox();
    const { json: kick } = await kickOffExport(sb);
    clock.advance(10_000);
    const before = (await getJob(sb, kick.jobId)).json;
    clock.advance(1000);
    const res = await call(sb, 'DELETE', `/api/v1/jobs/${kick.jobId}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(before);
    expect(res.json.status).toBe('succeeded');
  });
});

describe('list', () => {
  it('lists newest first, filters by status, and pages with an opaque cursor', async () => {
    const { sb, clock } = await clockedSandbox();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await kickOffExport(sb)).json.jobId);
      clock.advance(1);
    }
    await call(sb, 'DELETE', `/api/v1/jobs/${ids[1]}`);
    await call(sb, 'DELETE', `/api/v1/jobs/${ids[3]}`);

    const all = await call(sb, 'GET', '/api/v1/jobs');
    expect(all.headers.get('cache-control')).toBe('no-store');
    expect(all.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([...ids].reverse());
    expect(all.json.nextCursor).toBeNull();

    const page1 = await call(sb, 'GET', '/api/v1/jobs?limit=2');
    expect(page1.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[4], ids[3]]);
    const page2 = await call(sb, 'GET', `/api/v1/jobs?limit=2&cursor=${encodeURIComponent(page1.json.nextCursor)}`);
    expect(page2.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[2], ids[1]]);
    const page3 = await call(sb, 'GET', `/api/v1/jobs?limit=2&cursor=${encodeURIComponent(page2.json.nextCursor)}`);
    expect(page3.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[0]]);
    expect(page3.json.nextCursor).toBeNull();

    const cancelled = await call(sb, 'GET', '/api/v1/jobs?status=cancelled');
    expect(cancelled.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[3], ids[1]]);
  });

  it('rejects an unknown status, a bad limit and a forged cursor with 422', async () => {
    const { sb } = await clockedSandbox();
    expect((await call(sb, 'GET', '/api/v1/jobs?status=paused')).json.code).toBe('invalid_request');
    expect((await call(sb, 'GET', '/api/v1/jobs?limit=0')).status).toBe(422);
    expect((await call(sb, 'GET', '/api/v1/jobs?cursor=bogus')).status).toBe(422);
  });
});
