import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FAST } from '../helpers/cli.js';
import { testIO } from '../helpers/test-io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qehs-main-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('main(argv, io) in-process', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({ exportRows: 20, scenario: FAST });
  });
  afterEach(() => sandbox.close());

  const env = () => ({ QEHS_BASE_URL: sandbox.url, QEHS_TOKEN: sandbox.defaultToken, QEHS_CONFIG_DIR: join(dir, 'cfg') });

  it('export --wait returns 0 and lands the exact file; nothing but progress on stderr', async () => {
    const t = testIO(env(), { cwd: dir });
    const code = await main(['export', '--format', 'csv', '--wait', '-o', 'in-process.csv'], t.io);
    expect(code, t.stderr()).toBe(0);
    expect(t.stdout()).toBe('');
    const jobId = /job-[a-z0-9]+/.exec(t.stderr())![0];
    expect((await readFile(join(dir, 'in-process.csv'))).equals(sandbox.outputOf(jobId)!)).toBe(true);
  });

  it('Ctrl-C (simulated) detaches with the re-attach hint and returns 130; the job keeps running', async () => {
    sandbox.setScenario({ durationMs: 60_000 });
    const t = testIO(env(), { cwd: dir });
    const running = main(['export', '--wait', '-o', 'x.json'], t.io);
    // Interrupt as soon as the job is known to be running (event-driven, no fixed sleep).
    while (!/running/.test(t.stderr())) await new Promise((r) => setImmediate(r));
    t.interrupt();
    expect(await running).toBe(130);
    const jobId = /job-[a-z0-9]+/.exec(t.stderr())![0];
    expect(t.stderr()).toContain(`qehs jobs watch ${jobId}`);
    expect(sandbox.job(jobId)!.status).toBe('running');
  });

  it('with no command prints usage and returns 2', async () => {
    const t = testIO(env(), { cwd: dir });
    expect(await main([], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/Usage: qehs/);
  });

  it('--json failure before any snapshot is one JSON error document', async () => {
    const t = testIO({ ...env(), QEHS_TOKEN: 'tok_bad' }, { cwd: dir });
    expect(await main(['export', '--json'], t.io)).toBe(4);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({ exitCode: 4, error: { code: 'unauthenticated' } });
    expect(t.stdout() + t.stderr()).not.toContain('tok_bad');
  });
});

describe('jobs list against a server without the list endpoint', () => {
  let server: Server;
  afterEach(() => new Promise((r) => server.close(r)));

  it('degrades to the local journal and says so', async () => {
    server = createServer((req, res) => {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cfg = join(dir, 'cfg');
    await mkdir(cfg, { recursive: true });
    await writeFile(
      join(cfg, 'jobs.ndjson'),
      [
        { jobId: 'job-old', kind: 'export', baseUrl: url, createdAt: '2026-12-01T10:00:00Z', status: 'succeeded' },
        { jobId: 'job-new', kind: 'export', baseUrl: url, createdAt: '2026-12-02T10:00:00Z', status: 'running' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n{torn line',
    );
    const t = testIO({ QEHS_BASE_URL: url, QEHS_TOKEN: 'tok', QEHS_CONFIG_DIR: cfg }, { cwd: dir });
    expect(await main(['jobs', 'list'], t.io)).toBe(0);
    expect(t.stderr()).toMatch(/cannot list jobs; showing jobs started from this machine/);
    const rows = t.stdout().trim().split('\n');
    expect(rows[1]).toMatch(/^job-new/);
    expect(rows[2]).toMatch(/^job-old/);
  });
});
