import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityError, JobCancelledError, NotFoundError, QehsClient, ValidationError, type JobEvent } from '../../src/sdk/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FAST } from '../helpers/cli.js';

let sandbox: Sandbox;
let dir: string;
let client: QehsClient;

beforeEach(async () => {
  sandbox = await startSandbox({ exportRows: 30, scenario: FAST });
  dir = await mkdtemp(join(tmpdir(), 'qehs-sdk-'));
  client = new QehsClient({ baseUrl: sandbox.url, token: sandbox.defaultToken });
});
afterEach(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

const poll = { minIntervalMs: 50, defaultIntervalMs: 50 };

describe('SDK against the sandbox', () => {
  it('exports.start + jobs.await + download: the file is the exact bytes the sandbox produced', async () => {
    const job = await client.exports.start({ format: 'csv' });
    expect(job.statusUrl).toBe(`${sandbox.url}/api/v1/jobs/${job.jobId}`);
    const result = await client.jobs.await(job.jobId, poll);
    const target = join(dir, 'export.csv');
    const saved = await client.download(result!.download!, target);
    expect(saved.sha256).toBe(result!.download!.sha256);
    expect((await readFile(target)).equals(sandbox.outputOf(job.jobId)!)).toBe(true);
  });

  it('jobs.stream yields status changes in order and ends with exactly one terminal event', async () => {
    const job = await client.exports.start({ format: 'json' });
    const events: JobEvent[] = [];
    for await (const event of client.jobs.stream(job.jobId, poll)) events.push(event);
    const statuses = events.filter((e) => e.type === 'status').map((e) => e.snapshot.status);
    expect(statuses[0]).toBe('queued');
    expect(statuses).toContain('running');
    expect(events.filter((e) => e.type === 'terminal')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'terminal', snapshot: { status: 'succeeded' } });
  });

  it('a repeated Idempotency-Key returns the same job instead of starting another', async () => {
    const first = await client.exports.start({ format: 'csv' }, { idempotencyKey: 'ci-run-42' });
    const again = await client.exports.start({ format: 'csv' }, { idempotencyKey: 'ci-run-42' });
    expect(again.jobId).toBe(first.jobId);
    expect((await client.jobs.list()).jobs).toHaveLength(1);
  });

  it('cancel: a running export keeps partial output; await then throws JobCancelledError', async () => {
    sandbox.setScenario({ durationMs: 60_000 });
    const job = await client.exports.start({ format: 'json' });
    const cancelled = await client.jobs.cancel(job.jobId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.result?.partial).toBe(true);
    await expect(client.jobs.await(job.jobId, poll)).rejects.toBeInstanceOf(JobCancelledError);
    expect(await client.jobs.cancel(job.jobId)).toEqual(cancelled);
  });

  it("another tenant's job is NotFound", async () => {
    const job = await client.exports.start({ format: 'json' });
    const other = new QehsClient({ baseUrl: sandbox.url, token: 'sandbox-token-globex' });
    await expect(other.jobs.get(job.jobId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('resumes a dropped download with Range and verifies it', async () => {
    sandbox.setScenario({ dropDownloadAfterBytes: 512 });
    const job = await client.exports.start({ format: 'csv' });
    const result = await client.jobs.await(job.jobId, poll);
    const saved = await client.download(result!.download!, join(dir, 'resumed.csv'));
    expect(saved.resumes).toBe(1);
    expect((await readFile(join(dir, 'resumed.csv'))).equals(sandbox.outputOf(job.jobId)!)).toBe(true);
  });

  it('a corrupted download is an IntegrityError and leaves neither the file nor a .part', async () => {
    sandbox.setScenario({ corruptDownload: true });
    const job = await client.exports.start({ format: 'csv' });
    const result = await client.jobs.await(job.jobId, poll);
    await expect(client.download(result!.download!, join(dir, 'bad.csv'))).rejects.toBeInstanceOf(IntegrityError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to overwrite an existing file without force', async () => {
    const job = await client.exports.start({ format: 'csv' });
    const result = await client.jobs.await(job.jobId, poll);
    const target = join(dir, 'exists.csv');
    await client.download(result!.download!, target);
    await expect(client.download(result!.download!, target)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.download(result!.download!, target, { force: true })).resolves.toMatchObject({ path: target });
  });

  it('downloadTo streams into any writable', async () => {
    const job = await client.exports.start({ format: 'json' });
    const result = await client.jobs.await(job.jobId, poll);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    await client.downloadTo(result!.download!, sink);
    expect(Buffer.concat(chunks).equals(sandbox.outputOf(job.jobId)!)).toBe(true);
    expect(existsSync(join(dir, 'anything'))).toBe(false);
  });
});
