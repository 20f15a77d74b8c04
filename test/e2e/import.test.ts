import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWorld, jobIdIn, type CliWorld } from '../helpers/cli.js';

let world: CliWorld;
beforeEach(async () => {
  // Imports of a few rows: keep jobs short so the file stays fast.
  world = await cliWorld({ scenario: { queuedMs: 20, durationMs: 100, retryAfter: '0' } });
});
afterEach(async () => {
  await world.close();
});

const HEADER = 'site,title,status,date,severity,owner,description';
const GOOD_CSV = [
  HEADER,
  'Lyon Depot,Ladder fall from 2 m,open,2025-02-03,high,chloe.dubois@example.com,Fell while changing a lamp',
  'Basel Warehouse,Pallet collapse in aisle 7,investigating,2025-02-10,medium,li.wei@example.com,',
  '',
].join('\n');

async function write(name: string, content: string | Buffer): Promise<string> {
  await writeFile(join(world.dir, name), content);
  return name;
}

async function exportCsv(): Promise<string> {
  const result = await world.run(['export', '--format', 'csv', '--wait', '-o', '-']);
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return String(result.stdout);
}

const posts = () => world.sandbox.requests.filter((r) => r.method === 'POST');

describe('qehs import (real bin against the sandbox)', () => {
  it('imports a CSV with --wait, prints the counts, and a following export contains the new rows', async () => {
    const file = await write('incidents.csv', GOOD_CSV);
    const result = await world.run(['import', file, '--entity', 'incidents', '--wait']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toContain('Imported incidents: 2 created, 0 updated, 0 deleted, 0 failed');
    expect(String(result.stdout)).toBe('');
    const [post] = posts();
    expect(post!.path).toMatch(/^\/api\/v1\/imports\?entity=incidents&mode=create&format=csv/);
    expect(post!.headers['content-type']).toBe('text/csv');
    expect(post!.headers['idempotency-key']).toBeTruthy();

    const exported = await exportCsv();
    expect(exported).toContain('incidents,INC-0041,Lyon Depot,Ladder fall from 2 m,open,2025-02-03,high,chloe.dubois@example.com');
    expect(exported).toContain('incidents,INC-0042,Basel Warehouse,Pallet collapse in aisle 7,investigating,2025-02-10');
  });

  it('an invalid file exits 2 with file:line: column: message and sends nothing', async () => {
    const file = await write(
      'bad.csv',
      [HEADER, 'Lyon Depot,Fine row,open,2025-02-03,high,a@example.com,', 'Lyon Depot,Bad row,opened,2025-02-30,high,not-an-email,', ''].join('\n'),
    );
    const result = await world.run(['import', file, '--entity', 'incidents', '--wait']);
    expect(result.exitCode).toBe(2);
    const stderr = String(result.stderr);
    expect(stderr).toContain('bad.csv:3: status: "opened" is not one of open|investigating|closed');
    expect(stderr).toContain('bad.csv:3: date: "2025-02-30" is not a real date in YYYY-MM-DD form');
    expect(stderr).toContain('bad.csv:3: owner: "not-an-email" is not a valid email address');
    expect(stderr).toMatch(/3 problems in 2 records; nothing was sent/);
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('a cancelled import exits 3 and a following export contains none of its rows', async () => {
    world.sandbox.setScenario({ outcome: 'cancel' });
    const file = await write('incidents.csv', GOOD_CSV);
    const result = await world.run(['import', file, '--entity', 'incidents', '--wait']);
    expect(result.exitCode).toBe(3);
    expect(String(result.stderr)).toContain('Rolled back: nothing from this import was applied');
    world.sandbox.resetScenario();
    const exported = await exportCsv();
    expect(exported).not.toContain('Ladder fall from 2 m');
    expect(exported).not.toContain('Pallet collapse in aisle 7');
  });

  it('--dry-run validates only: a summary, exit 0, no request (no token needed); --json gives the facts', async () => {
    const file = await write('capas.ndjson', '{"id":"CAPA-0003","status":"done"}\n{"id":"CAPA-0004","due_date":"2025-12-01"}\n');
    const human = await world.run(['import', file, '--entity', 'capas', '--mode', 'update', '--dry-run'], { env: { QEHS_TOKEN: undefined } });
    expect(human.exitCode, String(human.stderr)).toBe(0);
    expect(String(human.stderr)).toContain('capas.ndjson is valid: 2 records to update as capas (ndjson). Nothing was sent (--dry-run).');
    const json = await world.run(['import', file, '--entity', 'capas', '--mode', 'update', '--dry-run', '--json']);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(String(json.stdout)).local).toMatchObject({ dryRun: true, valid: true, records: 2, entity: 'capas', mode: 'update', format: 'ndjson' });
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('--errors-out writes server-side row errors as CSV and rejected rows make the exit 1', async () => {
    const file = await write('updates.json', JSON.stringify([{ id: 'INC-0002', status: 'closed' }, { id: 'INC-9999', status: 'closed' }], null, 1));
    const result = await world.run(['import', file, '--entity', 'incidents', '--mode', 'update', '--wait', '--errors-out', 'rejected.csv']);
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr);
    expect(stderr).toContain('Imported incidents: 0 created, 1 updated, 0 deleted, 1 failed');
    expect(stderr).toContain('updates.json:6: id: not_found: no incident with id INC-9999');
    expect(stderr).toContain('Wrote 1 row error to rejected.csv');
    expect(await readFile(join(world.dir, 'rejected.csv'), 'utf8')).toBe('line,field,code,message\n6,id,not_found,no incident with id INC-9999\n');
    expect(await exportCsv()).toMatch(/incidents,INC-0002,[^\n]*,closed,/);
  });

  it('an existing --errors-out file without --force exits 2 before anything is sent', async () => {
    const file = await write('incidents.csv', GOOD_CSV);
    await write('rejected.csv', 'keep me');
    const result = await world.run(['import', file, '--entity', 'incidents', '--wait', '--errors-out', 'rejected.csv']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/rejected\.csv already exists; nothing was sent.*--force/);
    expect(await readFile(join(world.dir, 'rejected.csv'), 'utf8')).toBe('keep me');
    expect(world.sandbox.requests).toHaveLength(0);
    const forced = await world.run(['import', file, '--entity', 'incidents', '--wait', '--errors-out', 'rejected.csv', '--force']);
    expect(forced.exitCode, String(forced.stderr)).toBe(0);
    expect(await readFile(join(world.dir, 'rejected.csv'), 'utf8')).toBe('line,field,code,message\n');
  });

  it('a CSV with BOM, CRLF and a quoted newline imports intact', async () => {
    const csv =
      '\uFEFF' +
      [HEADER, 'Zürich Plant,"Spill, bay 4",open,2025-03-01,low,anja@example.com,"first line\r\nsecond ""quoted"" line"', ''].join('\r\n');
    const file = await write('crlf.csv', Buffer.from(csv, 'utf8'));
    const result = await world.run(['import', file, '--entity', 'incidents', '--wait']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toContain('1 created');
    expect(await exportCsv()).toContain('incidents,INC-0041,Zürich Plant,"Spill, bay 4",open,2025-03-01,low,anja@example.com,"first line\r\nsecond ""quoted"" line"');
  });

  it('without --wait prints the job id and exits at once; --errors-out then is a usage error', async () => {
    const file = await write('incidents.csv', GOOD_CSV);
    const result = await world.run(['import', file, '--entity', 'incidents']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/^job-[a-z0-9]+\n$/);
    expect(world.sandbox.job(jobIdIn(String(result.stdout)))!.type).toBe('import');
    const usage = await world.run(['import', file, '--entity', 'incidents', '--errors-out', 'e.csv']);
    expect(usage.exitCode).toBe(2);
    expect(existsSync(join(world.dir, 'e.csv'))).toBe(false);
    expect(posts()).toHaveLength(1);
  });

  it('a missing --entity or an unknown extension exits 2', async () => {
    const file = await write('records.txt', GOOD_CSV);
    const noEntity = await world.run(['import', file]);
    expect(noEntity.exitCode).toBe(2);
    expect(String(noEntity.stderr)).toContain("required option '--entity <entity>' not specified");
    const unknown = await world.run(['import', file, '--entity', 'incidents']);
    expect(unknown.exitCode).toBe(2);
    expect(String(unknown.stderr)).toContain('--input-format');
    const told = await world.run(['import', file, '--entity', 'incidents', '--input-format', 'csv', '--dry-run']);
    expect(told.exitCode, String(told.stderr)).toBe(0);
    expect(world.sandbox.requests).toHaveLength(0);
  });
});
