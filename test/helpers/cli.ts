import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export const BIN = resolve(import.meta.dirname, '../../bin/qehs.js');

/** Scenario timings that keep each end-to-end job well under a second. */
export const FAST = { queuedMs: 100, durationMs: 300, retryAfter: '0' } as const;

export interface CliWorld {
  sandbox: Sandbox;
  dir: string;
  env: Record<string, string>;
  run(args: string[], options?: { env?: Record<string, string | undefined>; input?: string; encoding?: 'buffer' }): ResultPromise;
  close(): Promise<void>;
}

/** A sandbox on port 0, a scratch directory as cwd and config dir, and a runner for the real bin/qehs.js. */
export async function cliWorld(options: SandboxOptions = {}): Promise<CliWorld> {
  const sandbox = await startSandbox({ exportRows: 40, ...options, scenario: { ...FAST, ...options.scenario } });
  const dir = await mkdtemp(join(tmpdir(), 'qehs-e2e-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    QEHS_BASE_URL: sandbox.url,
    QEHS_TOKEN: sandbox.defaultToken,
    QEHS_CONFIG_DIR: join(dir, 'config'),
  };
  return {
    sandbox,
    dir,
    env,
    run: (args, runOptions = {}) =>
      execa('node', [BIN, ...args], {
        cwd: dir,
        env: { ...env, ...runOptions.env } as Record<string, string>,
        extendEnv: false,
        reject: false,
        input: runOptions.input ?? '',
        encoding: runOptions.encoding === 'buffer' ? 'buffer' : 'utf8',
        timeout: 30_000,
        stripFinalNewline: false,
      }) as unknown as ResultPromise,
    close: async () => {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function jobIdIn(text: string): string {
  const match = /job-[a-z0-9]+/.exec(text);
  if (!match) throw new Error(`no job id in: ${text}`);
  return match[0];
}

/** Collects a child's stderr from the start, so a wait never misses text that arrived before it began. */
export function watchStderr(child: ReturnType<CliWorld['run']>) {
  let seen = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    waiters.forEach((check) => check());
  });
  return (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(seen);
        if (!match) return;
        waiters.delete(check);
        resolve(match[1] ?? match[0]);
      };
      waiters.add(check);
      check();
      child.once('exit', () => reject(new Error(`exited before ${pattern}: ${seen}`)));
    });
}
