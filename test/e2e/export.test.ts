import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWorld, jobIdIn, type CliWorld } from '../helpers/cli.js';

let world: CliWorld;
beforeEach(async () => {
  world = await cliWorld();
});
afterEach(async () => {
  await world.close();
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function expectNoSecrets(...texts: string[]) {
  for (const text of texts) expect(text).not.toContain(world.sandbox.defaultToken);
}

describe('qehs export --wait (real bin against the sandbox)', () => {
  it('downloads the result byte for byte, verified against the sandbox and its sha256', async () => {
    const result = await world.run(['export', '--format', 'csv', '--wait', '-o', 'tenant.csv']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toBe('');
    const jobId = jobIdIn(String(result.stderr));
    const served = world.sandbox.outputOf(jobId)!;
    const written = await readFile(join(world.dir, 'tenant.csv'));
    expect(written.equals(served)).toBe(true);
    expect(sha256(written)).toBe(world.sandbox.job(jobId)!.result!.download!.sha256);
    expect(written.toString('utf8').split(/\r?\n/)[0]).toBe('entity,id,site,title,status,date,severity,owner,description');
    expect(await readdir(world.dir)).not.toContain('tenant.csv.part');
    expectNoSecrets(String(result.stdout), String(result.stderr));
  });

  it('plain progress (non-TTY) is timestamped lines without carriage returns', async () => {
    const result = await world.run(['export', '--wait', '-o', 'out.json']);
    expect(result.exitCode).toBe(0);
    const stderr = String(result.stderr);
    expect(stderr).not.toContain('\r');
    expect(stderr).not.toContain('\u001b');
    expect(stderr).toMatch(/^\d\d:\d\d:\d\d .*started/m);
    expect(stderr).toMatch(/succeeded/);
  });

  it('--json prints exactly one document: the final snapshot plus local facts', async () => {
    const result = await world.run(['export', '--wait', '--json', '-o', 'out.json']);
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(String(result.stdout));
    expect(doc).toMatchObject({ status: 'succeeded', type: 'export' });
    expect(doc.local.output.path).toBe(join(world.dir, 'out.json'));
    expect(doc.local.output.sha256).toBe(doc.result.download.sha256);
    expect(doc.local.output.bytes).toBe((await readFile(join(world.dir, 'out.json'))).length);
  });

  it('-o - streams the file to stdout', async () => {
    const result = await world.run(['export', '--format', 'csv', '--wait', '-o', '-'], { encoding: 'buffer' });
    expect(result.exitCode).toBe(0);
    const jobId = jobIdIn(Buffer.from(result.stderr as unknown as Uint8Array).toString());
    expect(Buffer.from(result.stdout as unknown as Uint8Array).equals(world.sandbox.outputOf(jobId)!)).toBe(true);
  });

  it('a failed job exits 1 and names the error code', async () => {
    world.sandbox.setScenario({ outcome: 'fail', errorCode: 'EXPORT_STORAGE_UNAVAILABLE' });
    const result = await world.run(['export', '--wait', '-o', 'out.json']);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain('EXPORT_STORAGE_UNAVAILABLE');
    expect(existsSync(join(world.dir, 'out.json'))).toBe(false);
  });

  it('a job cancelled server-side exits 3 and mentions the kept partial output', async () => {
    world.sandbox.setScenario({ outcome: 'cancel' });
    const result = await world.run(['export', '--wait', '-o', 'out.json']);
    expect(result.exitCode).toBe(3);
    expect(String(result.stderr)).toMatch(/cancelled/);
    expect(String(result.stderr)).toMatch(/qehs jobs watch job-\w+ -o/);
    expect(existsSync(join(world.dir, 'out.json'))).toBe(false);
  });

  it('without --wait prints only the job id on stdout and exits at once', async () => {
    const result = await world.run(['export', '--format', 'csv']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/^job-[a-z0-9]+\n$/);
    const jobId = String(result.stdout).trim();
    expect(world.sandbox.job(jobId)).toBeDefined();
    expect(world.sandbox.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a wrong token exits 4 and never prints the token', async () => {
    const result = await world.run(['export', '--wait', '--verbose'], { env: { QEHS_TOKEN: 'tok_wrong_SECRET_42' } });
    expect(result.exitCode).toBe(4);
    expect(String(result.stderr)).toMatch(/401/);
    expect(String(result.stderr) + String(result.stdout)).not.toContain('tok_wrong_SECRET_42');
  });

  it('--verbose traces requests on stderr with the token redacted', async () => {
    const result = await world.run(['export', '--wait', '--verbose', '-o', 'v.json']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toMatch(/qehs: > POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/exports/);
    expectNoSecrets(String(result.stdout), String(result.stderr));
  });

  it('--timeout exits 124 while the job is still running, leaving no file', async () => {
    world.sandbox.setScenario({ queuedMs: 100, durationMs: 60_000 });
    const result = await world.run(['export', '--wait', '--timeout', '1s', '-o', 'out.json']);
    expect(result.exitCode).toBe(124);
    expect(String(result.stderr)).toMatch(/Timed out/);
    expect(existsSync(join(world.dir, 'out.json'))).toBe(false);
  });

  it('an unknown flag exits 2', async () => {
    const result = await world.run(['export', '--frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain("unknown option '--frobnicate'");
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('an existing output file without --force exits 2, untouched, and no job is started', async () => {
    await writeFile(join(world.dir, 'keep.csv'), 'precious');
    const result = await world.run(['export', '--wait', '-o', 'keep.csv']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/keep\.csv already exists.*--force/);
    expect(await readFile(join(world.dir, 'keep.csv'), 'utf8')).toBe('precious');
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('--force replaces an existing file', async () => {
    await writeFile(join(world.dir, 'keep.csv'), 'old');
    const result = await world.run(['export', '--format', 'csv', '--wait', '-o', 'keep.csv', '--force']);
    expect(result.exitCode).toBe(0);
    expect(await readFile(join(world.dir, 'keep.csv'), 'utf8')).not.toBe('old');
  });

  it('a corrupted download exits 7 and leaves nothing at the target path', async () => {
    world.sandbox.setScenario({ corruptDownload: true });
    const result = await world.run(['export', '--wait', '-o', 'out.json']);
    expect(result.exitCode).toBe(7);
    expect(String(result.stderr)).toMatch(/[Cc]hecksum|size/);
    expect(await readdir(world.dir)).toEqual(['config']);
  });

  it('resumes with Range after a dropped connection and still lands the exact bytes', async () => {
    world.sandbox.setScenario({ dropDownloadAfterBytes: 1000 });
    const result = await world.run(['export', '--wait', '-o', 'out.json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const jobId = jobIdIn(String(result.stderr));
    expect((await readFile(join(world.dir, 'out.json'))).equals(world.sandbox.outputOf(jobId)!)).toBe(true);
    const ranged = world.sandbox.requests.filter((r) => r.path.startsWith('/files/') && r.headers.range);
    expect(ranged[0]?.headers.range).toBe('bytes=1000-');
    expect(ranged[0]?.headers['if-range']).toBeTruthy();
  });

  it('retries through transient 503s without starting a second job', async () => {
    world.sandbox.setScenario({ failRequests: { status: 503, count: 2, retryAfter: '0' } });
    const result = await world.run(['export', '--wait', '-o', 'out.json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const posts = world.sandbox.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(posts.map((p) => p.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(posts.filter((p) => p.status === 202).map((p) => p.path)).size).toBe(1);
  });
});
