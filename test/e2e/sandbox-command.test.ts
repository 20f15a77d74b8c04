import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

describe('qehs sandbox (the command)', () => {
  it('prints shell exports on stdout, serves the API with the chosen scenario, and stops cleanly on Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qehs-sbx-'));
    const env = { PATH: process.env.PATH ?? '', HOME: dir, QEHS_CONFIG_DIR: join(dir, 'cfg') };
    const sandbox = execa('node', [BIN, 'sandbox', '--port', '0', '--speed', '4', '--scenario', 'fail', '--error-code', 'DEMO_FAILURE'], {
      env,
      extendEnv: false,
      reject: false,
    });
    try {
      const exports = await new Promise<Record<string, string>>((resolve, reject) => {
        let seen = '';
        sandbox.stdout!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const vars = Object.fromEntries([...seen.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
          if (vars.QEHS_WEBHOOK_SECRET) resolve(vars as Record<string, string>);
        });
        sandbox.once('exit', () => reject(new Error(`sandbox exited: ${seen}`)));
      });
      expect(exports.QEHS_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const run = await execa('node', [BIN, 'export', '--wait', '--progress', 'none'], {
        env: { ...env, ...exports },
        extendEnv: false,
        reject: false,
        cwd: dir,
      });
      expect(run.exitCode).toBe(1);
      expect(String(run.stderr)).toContain('DEMO_FAILURE');
      sandbox.kill('SIGINT');
      const stopped = await sandbox;
      expect(stopped.exitCode).toBe(0);
      expect(String(stopped.stderr)).toMatch(/Sandbox stopped/);
    } finally {
      sandbox.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad --speed with exit 2', async () => {
    const result = await execa('node', [BIN, 'sandbox', '--speed', '-1'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/Invalid --speed "-1"/);
  });
});
