import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWorld, jobIdIn, type CliWorld } from '../helpers/cli.js';

let world: CliWorld;
let bundleZip: Buffer;
let jobId: string;
let createStderr: string;

beforeAll(async () => {
  world = await cliWorld();
  await writeFile(join(world.dir, 'key.pem'), world.sandbox.bundlePublicKeyPem);
  const result = await world.run(['bundle', 'create', '--wait', '-o', 'b.zip']);
  createStderr = String(result.stderr);
  expect(result.exitCode, createStderr).toBe(0);
  jobId = jobIdIn(createStderr);
  bundleZip = await readFile(join(world.dir, 'b.zip'));
});
afterAll(async () => {
  await world?.close();
});

/** Writes a modified copy of the good bundle and returns its file name. */
async function tampered(name: string, change: (entries: Record<string, Uint8Array>) => void): Promise<string> {
  const entries = unzipSync(bundleZip);
  change(entries);
  await writeFile(join(world.dir, name), zipSync(entries));
  return name;
}

function flipByte(data: Uint8Array, at = 5): Uint8Array {
  const copy = new Uint8Array(data);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

async function verify(file: string, key = 'key.pem', extra: string[] = [], env?: Record<string, string | undefined>) {
  const result = await world.run(['bundle', 'verify', file, '--public-key', key, ...extra], { env });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const postsToBundles = () => world.sandbox.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/v1/evidence-bundles'));

describe('qehs bundle create', () => {
  it('--wait downloads exactly the bundle the sandbox built, and says how to verify it', () => {
    expect(bundleZip.equals(world.sandbox.outputOf(jobId)!)).toBe(true);
    const snapshot = world.sandbox.job(jobId)!;
    expect(snapshot).toMatchObject({ status: 'succeeded', type: 'bundle' });
    expect(snapshot.result!.download!.contentType).toBe('application/zip');
    const names = Object.keys(unzipSync(bundleZip));
    expect(names).toEqual(expect.arrayContaining(['bagit.txt', 'signature.dsse.json', 'data/incidents.json', 'data/capas.csv']));
    expect(names.some((n) => n.startsWith('data/attachments/'))).toBe(true);
    expect(createStderr).toMatch(new RegExp(`Evidence bundle: ${snapshot.result!.files} files`));
    expect(createStderr).toContain('qehs bundle verify b.zip --public-key');
    expect(createStderr).not.toContain(world.sandbox.defaultToken);
  });

  it('sends the range and scope, and bundles only records in them', async () => {
    const result = await world.run([
      'bundle', 'create', '--from', '2025-03-01', '--to', '2025-04-30', '--scope', 'incidents,capas', '--wait', '-o', 'q.zip',
    ]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const snapshot = world.sandbox.job(jobIdIn(String(result.stderr)))!;
    expect(snapshot.result).toMatchObject({ from: '2025-03-01', to: '2025-04-30', scope: ['incidents', 'capas'] });
    const entries = unzipSync(await readFile(join(world.dir, 'q.zip')));
    const payload = Object.keys(entries).filter((n) => n.startsWith('data/')).sort();
    expect(payload).toEqual(['data/bundle.json', 'data/capas.csv', 'data/incidents.json']);
    const incidents = JSON.parse(strFromU8(entries['data/incidents.json']!)) as { occurred_on: string }[];
    expect(incidents.length).toBeGreaterThan(0);
    for (const incident of incidents) {
      expect(incident.occurred_on >= '2025-03-01' && incident.occurred_on <= '2025-04-30').toBe(true);
    }
  });

  // Independent CLI runs go in parallel to keep the file fast.
  it.concurrent.each([
    [['--from', '2025-02-30'], '--from'],
    [['--to', '31.12.2025'], '--to'],
    [['--from', '2025-06-01', '--to', '2025-05-01'], '--from'],
    [['--scope', 'incidents,payroll'], '--scope'],
  ])('invalid %j -> exit 2 naming %s, nothing sent', async (args, flag) => {
    const before = postsToBundles().length;
    const result = await world.run(['bundle', 'create', ...args, '--wait']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(`Invalid ${flag}`);
    expect(postsToBundles().length).toBe(before);
  });
});

describe('qehs bundle public-key', () => {
  it('saves the sandbox key; the endpoint needs the token', async () => {
    const result = await world.run(['bundle', 'public-key', '-o', 'fetched.pem']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await readFile(join(world.dir, 'fetched.pem'), 'utf8')).toBe(world.sandbox.bundlePublicKeyPem);
    const again = await world.run(['bundle', 'public-key', '-o', 'fetched.pem']);
    expect(again.exitCode).toBe(2);
    const anonymous = await fetch(`${world.sandbox.url}/api/v1/evidence-bundles/public-key`);
    expect(anonymous.status).toBe(401);
    const authed = await fetch(`${world.sandbox.url}/api/v1/evidence-bundles/public-key`, {
      headers: { authorization: `Bearer ${world.sandbox.defaultToken}` },
    });
    expect(authed.headers.get('content-type')).toBe('application/x-pem-file');
  });
});

describe('qehs bundle verify', () => {
  it('a good bundle -> 0 with a summary, offline (no token, API unreachable)', async () => {
    const result = await verify('b.zip', 'key.pem', [], { QEHS_TOKEN: undefined, QEHS_BASE_URL: 'http://127.0.0.1:9' });
    expect(result.exitCode, result.stderr).toBe(0);
    const snapshot = world.sandbox.job(jobId)!;
    expect(result.stderr).toContain('intact and correctly signed');
    expect(result.stderr).toContain(`${snapshot.result!.files} payload files`);
    expect(result.stderr).toContain(String(snapshot.result!.manifestTimestamp));
    expect(result.stderr).toContain(String(snapshot.result!.keyId));
    expect(result.stdout).toBe('');
  });

  it('--json prints the verification object', async () => {
    const result = await verify('b.zip', 'key.pem', ['--json']);
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ ok: true, problems: [], summary: { jobId, keyId: world.sandbox.job(jobId)!.result!.keyId } });
  });

  const cases: [string, (e: Record<string, Uint8Array>) => void, string, string][] = [
    ['payload byte', (e) => void (e['data/incidents.json'] = flipByte(e['data/incidents.json']!)), 'digest-mismatch', 'data/incidents.json'],
    ['tag manifest', (e) => void (e['tagmanifest-sha256.txt'] = flipByte(e['tagmanifest-sha256.txt']!, 0)), 'statement-digest-mismatch', 'tagmanifest-sha256.txt'],
    ['signature', (e) => {
      const envelope = JSON.parse(strFromU8(e['signature.dsse.json']!));
      const sig = Buffer.from(envelope.signatures[0].sig, 'base64');
      sig[0] = sig[0]! ^ 0x01;
      envelope.signatures[0].sig = sig.toString('base64');
      e['signature.dsse.json'] = strToU8(JSON.stringify(envelope));
    }, 'signature-invalid', 'signature.dsse.json'],
    ['extra file', (e) => void (e['data/smuggled.txt'] = strToU8('not in the manifest')), 'extra-file', 'data/smuggled.txt'],
    ['missing file', (e) => void delete e['data/capas.csv'], 'missing-file', 'data/capas.csv'],
    ['../ entry', (e) => void (e['../escape.txt'] = strToU8('outside the bag')), 'unsafe-path', '../escape.txt'],
  ];
  it.concurrent.each(cases)('tampered %s -> 7 naming what and where', async (label, change, code, path) => {
    const file = await tampered(`tampered-${label.replace(/\W+/g, '-')}.zip`, change);
    const result = await verify(file);
    expect(result.exitCode, result.stderr).toBe(7);
    expect(result.stderr).toContain(`FAILED verification`);
    expect(result.stderr).toMatch(new RegExp(`${path.replace(/[.]/g, '\\.')}: .*\\[${code}\\]`));
  });

  it('lists every problem, and --json carries them all', async () => {
    const file = await tampered('two-problems.zip', (e) => {
      e['data/incidents.json'] = flipByte(e['data/incidents.json']!);
      delete e['data/capas.csv'];
    });
    const result = await verify(file, 'key.pem', ['--json']);
    expect(result.exitCode).toBe(7);
    const doc = JSON.parse(result.stdout);
    expect(doc.ok).toBe(false);
    const codes = doc.problems.map((p: { code: string }) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['digest-mismatch', 'missing-file', 'payload-oxum-mismatch']));
    for (const problem of doc.problems) expect(result.stderr).toContain(problem.message);
  });

  it('a different key -> 7', async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(join(world.dir, 'other.pem'), other);
    const result = await verify('b.zip', 'other.pem');
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toContain('[signature-invalid]');
    expect(result.stderr).toContain('[keyid-mismatch]');
  });

  it('unreadable bundle or key file -> 2 naming the file', async () => {
    await writeFile(join(world.dir, 'garbage.pem'), 'not a key');
    const [noZip, noKey, badKey] = await Promise.all([verify('nope.zip'), verify('b.zip', 'nope.pem'), verify('b.zip', 'garbage.pem')]);
    expect(noZip.exitCode).toBe(2);
    expect(noZip.stderr).toContain('nope.zip');
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stderr).toContain('nope.pem');
    expect(badKey.exitCode).toBe(2);
    expect(badKey.stderr).toContain('garbage.pem');
  });
});
