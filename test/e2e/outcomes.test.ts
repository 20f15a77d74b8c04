import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWorld, type CliWorld } from '../helpers/cli.js';

// Every operation family ends the same way through the shared follow path: a failed job exits 1 and
// names the code, a cancelled one exits 3, and neither leaves a file at the output path.

let world: CliWorld;
beforeEach(async () => {
  world = await cliWorld();
  await writeFile(
    join(world.dir, 'incidents.csv'),
    'site,title,status,date,severity,owner,description\nLyon Depot,Ladder fall,open,2025-02-03,high,chloe.dubois@example.com,\n',
  );
  await writeFile(join(world.dir, 'members.csv'), 'userName,emails,externalId\nana.silva,ana.silva@example.com,E-1\n');
});
afterEach(async () => {
  await world.close();
});

const COMMANDS: Record<string, string[]> = {
  export: ['export', '--wait', '-o', 'out.bin'],
  import: ['import', 'incidents.csv', '--entity', 'incidents', '--wait'],
  file: ['file', 'osha-300a', '--year', '2025', '--establishment', 'EST-001', '--yes', '--wait', '-o', 'out.bin'],
  bundle: ['bundle', 'create', '--wait', '-o', 'out.bin'],
  sync: ['sync', 'snowflake-prod', '--wait'],
  scim: ['scim', 'provision', '--group', 'grp-safety', '--members', 'members.csv', '--wait'],
};

describe.each(Object.entries(COMMANDS))('qehs %s', (_name, args) => {
  it('a failed job exits 1 with the error code on stderr and no file', async () => {
    world.sandbox.setScenario({ outcome: 'fail', errorCode: 'SANDBOX_INJECTED_FAILURE' });
    const result = await world.run(args);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(String(result.stderr)).toContain('SANDBOX_INJECTED_FAILURE');
    expect(existsSync(join(world.dir, 'out.bin'))).toBe(false);
  });

  it('a job cancelled on the server exits 3 and leaves no file', async () => {
    world.sandbox.setScenario({ outcome: 'cancel', stopAtProgress: 40 });
    const result = await world.run(args);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(String(result.stderr)).toMatch(/cancelled/);
    expect(existsSync(join(world.dir, 'out.bin'))).toBe(false);
  });
});
