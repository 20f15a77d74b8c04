import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWorld, jobIdIn, type CliWorld } from '../helpers/cli.js';

let world: CliWorld;
beforeEach(async () => {
  world = await cliWorld();
});
afterEach(async () => {
  await world.close();
});

const posts = () => world.sandbox.requests.filter((r) => r.method === 'POST');

describe('qehs sync (real bin against the sandbox)', () => {
  it('--wait --json reports every table as done, in the result and in the per-table parts', async () => {
    const result = await world.run(['sync', 'snowflake-prod', '--tables', 'incidents,capas,users', '--wait', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const doc = JSON.parse(String(result.stdout));
    expect(doc).toMatchObject({ status: 'succeeded', type: 'sync', result: { warehouse: 'snowflake-prod', backfillFrom: null } });
    expect(doc.result.tables).toEqual([
      { name: 'incidents', phase: 'done', rowsSynced: 40, rowEstimate: 40 },
      { name: 'capas', phase: 'done', rowsSynced: 40, rowEstimate: 40 },
      { name: 'users', phase: 'done', rowsSynced: 40, rowEstimate: 40 },
    ]);
    expect(doc.result.rowsSynced).toBe(120);
    expect(doc.parts.map((p: { name: string; phase: string }) => `${p.name}:${p.phase}`)).toEqual(['incidents:done', 'capas:done', 'users:done']);
    const stderr = String(result.stderr);
    expect(stderr).toContain('Synced 120 rows in 3 tables to snowflake-prod:');
    expect(stderr).toMatch(/ {2}capas +done +40 of 40 rows$/m);
    expect(posts().map((p) => p.path)).toEqual(['/api/v1/warehouse-syncs']);
  });

  it('a backfill copies only rows dated on or after the date, and plain progress prints one line per table change', async () => {
    world.sandbox.setScenario({ durationMs: 600 }); // long enough for several polls
    const result = await world.run(['sync', 'bigquery-analytics', '--tables', 'incidents,sites', '--backfill-from', '2025-06-01', '--wait', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const doc = JSON.parse(String(result.stdout));
    const incidents = doc.result.tables[0];
    expect(incidents.rowEstimate).toBeGreaterThan(0);
    expect(incidents.rowEstimate).toBeLessThan(40);
    expect(doc.result.backfillFrom).toBe('2025-06-01');
    const stderr = String(result.stderr);
    expect(stderr).not.toContain('\r');
    const partLines = stderr.split('\n').filter((l) => / (incidents|sites): /.test(l));
    expect(partLines.length).toBeGreaterThan(0);
    expect(partLines.every((l) => /^\d\d:\d\d:\d\d {2}job-\w+ (incidents|sites): (copying|done) [\d,]+\/[\d,]+ rows$/.test(l))).toBe(true);
    expect(new Set(partLines).size).toBe(partLines.length); // no repeated line for an unchanged table
  });

  it('a failed sync exits 1 and names the error code', async () => {
    world.sandbox.setScenario({ outcome: 'fail', errorCode: 'WAREHOUSE_UNREACHABLE', errorMessage: 'Snowflake refused the connection.' });
    const result = await world.run(['sync', 'snowflake-prod', '--wait']);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain('WAREHOUSE_UNREACHABLE');
  });

  it('a cancelled sync exits 3; completed tables stay done and the interrupted one is reported partial', async () => {
    world.sandbox.setScenario({ outcome: 'cancel', stopAtProgress: 75 });
    const result = await world.run(['sync', 'snowflake-prod', '--tables', 'incidents,capas', '--wait', '--json']);
    expect(result.exitCode).toBe(3);
    const doc = JSON.parse(String(result.stdout));
    expect(doc.status).toBe('cancelled');
    expect(doc.result.tables).toEqual([
      { name: 'incidents', phase: 'done', rowsSynced: 40, rowEstimate: 40 },
      { name: 'capas', phase: 'partial', rowsSynced: 20, rowEstimate: 40 },
    ]);
    const stderr = String(result.stderr);
    expect(stderr).toContain('Tables in snowflake-prod after the cancelled sync (partial: capas):');
    expect(stderr).toMatch(/ {2}capas +partial +20 of 40 rows$/m);
  });

  it('cancelling from another shell with jobs cancel keeps the tables finished so far', async () => {
    world.sandbox.setScenario({ queuedMs: 0, durationMs: 60_000 });
    const started = await world.run(['sync', 'snowflake-prod']); // without --wait: only the id on stdout
    expect(started.exitCode).toBe(0);
    expect(String(started.stdout)).toMatch(/^job-[a-z0-9]+\n$/);
    const jobId = jobIdIn(String(started.stdout));
    expect(world.sandbox.job(jobId)?.type).toBe('sync');
    const cancel = await world.run(['jobs', 'cancel', jobId, '--yes', '--json']);
    expect(cancel.exitCode, String(cancel.stderr)).toBe(0);
    const snapshot = world.sandbox.job(jobId)!;
    expect(snapshot.status).toBe('cancelled');
    const tables = (snapshot.result as { tables: { phase: string }[] }).tables;
    expect(tables).toHaveLength(7);
    expect(tables.every((t) => ['done', 'partial', 'pending'].includes(t.phase))).toBe(true);
  });

  it('an unknown table exits 2 naming --tables, and nothing is sent', async () => {
    const result = await world.run(['sync', 'snowflake-prod', '--tables', 'incidents,payroll', '--wait']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--tables.*"payroll" is not a table/);
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('a bad or future --backfill-from date exits 2 naming the flag, and nothing is sent', async () => {
    const bad = await world.run(['sync', 'snowflake-prod', '--backfill-from', '2025-02-30']);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toMatch(/--backfill-from.*2025-02-30/);
    const future = await world.run(['sync', 'snowflake-prod', '--backfill-from', '2999-01-01']);
    expect(future.exitCode).toBe(2);
    expect(String(future.stderr)).toMatch(/--backfill-from.*in the future/);
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('a malformed warehouse name exits 2 locally; an unknown connection is refused by the server (422) and exits 2', async () => {
    const malformed = await world.run(['sync', 'Snowflake Prod']);
    expect(malformed.exitCode).toBe(2);
    expect(world.sandbox.requests).toHaveLength(0);
    const unknown = await world.run(['sync', 'oracle-legacy', '--wait']);
    expect(unknown.exitCode).toBe(2);
    expect(String(unknown.stderr)).toMatch(/No warehouse connection named "oracle-legacy"/);
    expect(posts().map((p) => p.status)).toEqual([422]);
  });
});
