import { PassThrough, Writable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ exportRows: 40, scenario: { queuedMs: 20, durationMs: 50, retryAfter: '0' } });
  dir = await mkdtemp(join(tmpdir(), 'qehs-confirm-'));
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

/** A terminal on both ends: stdin answers with `answer` once the prompt shows, stderr collects text. */
function ttyIO(answer: string) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  let stderrText = '';
  let stdoutText = '';
  let answered = false;
  const stderr = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        stderrText += String(chunk);
        if (!answered && stderrText.includes('Submit this')) {
          answered = true;
          setImmediate(() => stdin.write(answer));
        }
        done();
      },
    }),
    // _isStdio: like process.stderr, the prompt's legacy pipe must not end it.
    { isTTY: true, columns: 100, _isStdio: true },
  );
  const stdout = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        stdoutText += String(chunk);
        done();
      },
    }),
    { isTTY: false },
  );
  const io: CliIO = {
    stdin,
    stdout,
    stderr,
    env: { QEHS_BASE_URL: sandbox.url, QEHS_TOKEN: sandbox.defaultToken, QEHS_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1' },
    cwd: dir,
    onInterrupt: () => () => {},
  };
  return { io, stderr: () => stderrText, stdout: () => stdoutText };
}

const ARGS = ['file', 'osha-300a', '--year', '2025', '--establishment', 'EST-001'];
const posts = () => sandbox.requests.filter((r) => r.method === 'POST').length;

describe('qehs file in a terminal', () => {
  it('shows what will be filed where, and files after "y"', async () => {
    const t = ttyIO('y\n');
    const before = posts();
    const code = await main(ARGS, t.io);
    expect(t.stderr()).toContain(`About to file OSHA Form 300A for 2025, establishment EST-001, to ${sandbox.url}.`);
    expect(code, t.stderr()).toBe(0);
    expect(t.stdout()).toMatch(/^job-[a-z0-9]+\n$/);
    expect(posts()).toBe(before + 1);
  });

  it('declining sends nothing and exits 2', async () => {
    const t = ttyIO('n\n');
    const before = posts();
    const code = await main(ARGS, t.io);
    expect(code).toBe(2);
    expect(t.stderr()).toContain('Not filed; nothing was sent.');
    expect(posts()).toBe(before);
  });

  it('--no-input never prompts: exit 2 naming --yes', async () => {
    const t = ttyIO('y\n');
    const before = posts();
    const code = await main(['--no-input', ...ARGS], t.io);
    expect(code).toBe(2);
    expect(t.stderr()).toContain('pass --yes');
    expect(t.stderr()).not.toContain('Submit this');
    expect(posts()).toBe(before);
  });
});
