import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWorld, type CliWorld } from '../helpers/cli.js';

let world: CliWorld;
beforeEach(async () => {
  world = await cliWorld();
});
afterEach(async () => {
  await world.close();
});

/** A members CSV of `count` users; every 1000th has a blocked email domain; 'li.wei' is taken by an existing user. */
function membersCsv(count: number): string {
  const rows = ['userName,emails,externalId,givenName,familyName'];
  for (let i = 1; i <= count; i++) {
    const domain = i % 1000 === 0 ? 'blocked.example' : 'example.com';
    rows.push(`user${i},user${i}@${domain};u${i}@example.org,EXT-${i},User,Number ${i}`);
  }
  rows.push('Li.Wei,li.wei@example.com,EXT-LI,Li,Wei');
  return `${rows.join('\r\n')}\r\n`;
}

describe('qehs scim provision (real bin against the sandbox)', () => {
  it('provisions a large group in chunks: exit 0, applied count, a warning, and the failures file', async () => {
    await writeFile(join(world.dir, 'members.csv'), membersCsv(5_000));
    const result = await world.run(['scim', 'provision', '--group', 'grp-safety', '--members', 'members.csv', '--wait', '--json', '--errors-out', 'failures.csv']);
    const stderr = String(result.stderr);
    expect(result.exitCode, stderr).toBe(0);
    const doc = JSON.parse(String(result.stdout));
    expect(doc).toMatchObject({
      status: 'succeeded',
      type: 'scim',
      counts: { done: 5_001, total: 5_001, unit: 'members' },
      result: { groupId: 'grp-safety', members: 5_001, applied: 4_995, failed: 6 },
    });
    expect(doc.result.failures).toContainEqual({ userName: 'Li.Wei', code: 'user_name_taken', message: expect.any(String) });
    expect(doc.result.failures).toContainEqual({ userName: 'user1000', code: 'email_domain_blocked', message: expect.stringContaining('blocked.example') });
    expect(stderr).toContain('Applied 4995 of 5001 members to group grp-safety.');
    expect(stderr).toMatch(/warning: 6 members could not be applied; listed in failures\.csv/);
    expect(stderr).toContain('Wrote 6 failures to failures.csv');
    const failures = (await readFile(join(world.dir, 'failures.csv'), 'utf8')).trim().split('\n');
    expect(failures[0]).toBe('userName,code,message');
    expect(failures.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      'user1000,email_domain_blocked',
      'user2000,email_domain_blocked',
      'user3000,email_domain_blocked',
      'user4000,email_domain_blocked',
      'user5000,email_domain_blocked',
      'Li.Wei,user_name_taken',
    ]);
  });

  it('reports chunk progress as members done / total, and reads NDJSON members', async () => {
    world.sandbox.setScenario({ durationMs: 600 });
    const lines = Array.from({ length: 450 }, (_, i) => JSON.stringify({ userName: `n${i}`, emails: [{ value: `n${i}@example.com` }] }));
    await writeFile(join(world.dir, 'people.ndjson'), `${lines.join('\n')}\n`);
    const result = await world.run(['scim', 'provision', '--group', 'grp-contractors', '--members', 'people.ndjson', '--wait']);
    const stderr = String(result.stderr);
    expect(result.exitCode, stderr).toBe(0);
    expect(stderr).toMatch(/running \d+% Applying chunk [1-5] of 5 \(\d+\/450 members\)/);
    expect(stderr).toContain('Applied 450 of 450 members to group grp-contractors.');
    expect(stderr).not.toContain('warning');
  });

  it('an invalid members file exits 2 with file:line problems, and nothing is sent', async () => {
    await writeFile(join(world.dir, 'bad.csv'), 'userName,emails\nj doe,jdoe@example.com\nok,not-an-email\nOK,ok@example.com\n');
    const result = await world.run(['scim', 'provision', '--group', 'grp-safety', '--members', 'bad.csv', '--wait']);
    expect(result.exitCode).toBe(2);
    const stderr = String(result.stderr);
    expect(stderr).toContain('bad.csv:2: userName: "j doe" must not contain spaces or control characters');
    expect(stderr).toContain('bad.csv:3: emails: "not-an-email" is not a valid email address');
    expect(stderr).toContain('bad.csv:4: userName: duplicate userName "OK" (first on line 3)');
    expect(stderr).toMatch(/bad\.csv has 3 problems; nothing was sent/);
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('an existing --errors-out file without --force exits 2 before anything is sent', async () => {
    await writeFile(join(world.dir, 'members.csv'), membersCsv(3));
    await writeFile(join(world.dir, 'failures.csv'), 'keep me');
    const result = await world.run(['scim', 'provision', '--group', 'grp-safety', '--members', 'members.csv', '--wait', '--errors-out', 'failures.csv']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/failures\.csv already exists.*--force/);
    expect(await readFile(join(world.dir, 'failures.csv'), 'utf8')).toBe('keep me');
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('a failed provisioning job exits 1 and names the error code', async () => {
    world.sandbox.setScenario({ outcome: 'fail', errorCode: 'DIRECTORY_LOCKED', errorMessage: 'The directory is being migrated.' });
    await writeFile(join(world.dir, 'members.csv'), membersCsv(3));
    const result = await world.run(['scim', 'provision', '--group', 'grp-safety', '--members', 'members.csv', '--wait']);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain('DIRECTORY_LOCKED');
  });
});
