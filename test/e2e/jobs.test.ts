import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWorld, jobIdIn, watchStderr, type CliWorld } from '../helpers/cli.js';

let world: CliWorld;
beforeEach(async () => {
  world = await cliWorld();
});
afterEach(async () => {
  await world.close();
});

describe('qehs jobs', () => {
  it('get prints a snapshot (human and --json); an unknown id exits 5', async () => {
    const id = String((await world.run(['export'])).stdout).trim();
    const human = await world.run(['jobs', 'get', id]);
    expect(human.exitCode).toBe(0);
    expect(String(human.stdout)).toMatch(new RegExp(`Job:\\s+${id}`));
    const json = await world.run(['jobs', 'get', id, '--json']);
    expect(JSON.parse(String(json.stdout))).toMatchObject({ jobId: id, type: 'export' });
    const missing = await world.run(['jobs', 'get', 'job-doesnotexist']);
    expect(missing.exitCode).toBe(5);
    expect(String(missing.stderr)).toMatch(/404/);
  });

  it("another tenant's job is not found (404 -> 5), never revealed", async () => {
    const id = String((await world.run(['export'])).stdout).trim();
    const other = await world.run(['jobs', 'get', id], { env: { QEHS_TOKEN: 'sandbox-token-globex' } });
    expect(other.exitCode).toBe(5);
  });

  it('cancel without --yes and without a terminal exits 2 and sends nothing', async () => {
    world.sandbox.setScenario({ durationMs: 60_000 });
    const id = String((await world.run(['export'])).stdout).trim();
    const before = world.sandbox.requests.length;
    const result = await world.run(['jobs', 'cancel', id]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('--yes');
    expect(world.sandbox.requests.length).toBe(before);
    expect(world.sandbox.job(id)!.status).not.toBe('cancelled');
  });

  it('cancel --yes cancels a running export (partial output kept); a finished job is reported unchanged', async () => {
    world.sandbox.setScenario({ durationMs: 60_000 });
    const id = String((await world.run(['export'])).stdout).trim();
    const result = await world.run(['jobs', 'cancel', id, '--yes']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toMatch(/Cancelled job-\w+\. Partial output was kept/);
    expect(world.sandbox.job(id)!.status).toBe('cancelled');

    const again = await world.run(['jobs', 'cancel', id, '--yes', '--json']);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(String(again.stdout))).toMatchObject({ jobId: id, status: 'cancelled', local: { alreadyTerminal: true } });
  });

  it('watch --last re-attaches to the job started by another process and downloads it', async () => {
    world.sandbox.setScenario({ durationMs: 600 });
    const started = await world.run(['export', '--format', 'csv']);
    const id = String(started.stdout).trim();
    const watched = await world.run(['jobs', 'watch', '--last', '-o', 'later.csv']);
    expect(watched.exitCode, String(watched.stderr)).toBe(0);
    expect(String(watched.stderr)).toMatch(new RegExp(`re-attached.*${id}|${id}.*re-attached`, 'i'));
    expect((await readFile(join(world.dir, 'later.csv'))).equals(world.sandbox.outputOf(id)!)).toBe(true);
  });

  it('watch -o fetches the partial output a cancelled export kept', async () => {
    world.sandbox.setScenario({ outcome: 'cancel', stopAtProgress: 50 });
    const id = String((await world.run(['export', '--format', 'csv'])).stdout).trim();
    const watched = await world.run(['jobs', 'watch', id, '-o', 'partial.csv']);
    expect(watched.exitCode).toBe(3);
    const partial = await readFile(join(world.dir, 'partial.csv'));
    expect(partial.equals(world.sandbox.outputOf(id)!)).toBe(true);
    expect(world.sandbox.job(id)!.result!.partial).toBe(true);
  });

  it('list shows jobs newest first', async () => {
    const first = String((await world.run(['export'])).stdout).trim();
    const second = String((await world.run(['export'])).stdout).trim();
    const listed = await world.run(['jobs', 'list', '--json']);
    const ids = JSON.parse(String(listed.stdout)).jobs.map((j: { jobId: string }) => j.jobId);
    expect(ids.indexOf(second)).toBeLessThan(ids.indexOf(first));
    const table = await world.run(['jobs', 'list']);
    expect(String(table.stdout)).toMatch(/^JOB ID\s+TYPE\s+STATUS/);
  });

  it('Ctrl-C while waiting detaches with the re-attach command and exits 130', async () => {
    world.sandbox.setScenario({ durationMs: 60_000 });
    const child = world.run(['export', '--wait', '-o', 'x.json']);
    const seen = await watchStderr(child)(/(job-[a-z0-9]+) running/);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const id = jobIdIn(seen);
    expect(String(result.stderr)).toContain(`qehs jobs watch ${id}`);
    expect(world.sandbox.job(id)!.status).toBe('running');
  });

  it('Ctrl-C with --cancel-on-interrupt cancels the job first', async () => {
    world.sandbox.setScenario({ durationMs: 60_000 });
    const child = world.run(['export', '--wait', '--cancel-on-interrupt', '-o', 'x.json']);
    const seen = await watchStderr(child)(/(job-[a-z0-9]+) running/);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(world.sandbox.job(jobIdIn(seen))!.status).toBe('cancelled');
  });
});
