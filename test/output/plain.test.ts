import { describe, it, expect } from 'vitest';
import { createRenderer } from '../../src/cli/output/index.js';
import type { UiEvent } from '../../src/cli/output/events.js';
import { cancelled, done, failed, jobEvent, options, snap, started, succeeded, successLifecycle, T0 } from './helpers.js';

async function run(events: UiEvent[], overrides: Parameters<typeof options>[0] = {}) {
  const opts = options(overrides);
  const renderer = await createRenderer(opts);
  for (const event of events) renderer.handle(event);
  renderer.close();
  return { stdout: opts.stdout.text(), stderr: opts.stderr.text(), lines: opts.stderr.text().split('\n').filter(Boolean) };
}

describe('plain renderer', () => {
  it('never writes carriage returns or escape codes over a whole lifecycle, and nothing on stdout', async () => {
    const { stdout, stderr } = await run(successLifecycle());
    expect(stderr).not.toMatch(/[\r\u001b]/);
    expect(stdout).toBe('');
    expect(stderr).toContain('12:00:00  export job-abc123 started\n');
    expect(stderr).toContain('12:00:45  Saved 1.2 MB to ./export.csv (sha256 abababababab...)\n');
  });

  it('prints one timestamped line per status change, with only the parts present', async () => {
    const { lines } = await run([
      started(0),
      jobEvent('status', 0, snap({ status: 'queued' })),
      jobEvent('status', 500, snap({ status: 'running' })),
      jobEvent('status', 900, snap({ status: 'paused-by-ops' })),
      jobEvent('progress', 1_000, snap({ status: 'paused-by-ops' })), // no real change
    ]);
    expect(lines).toEqual([
      '12:00:00  export job-abc123 started',
      '12:00:00  job-abc123 queued',
      '12:00:00  job-abc123 running',
      '12:00:00  job-abc123 paused-by-ops',
    ]);
  });

  it('says re-attached when following an existing job', async () => {
    const { lines } = await run([started(0, true)]);
    expect(lines).toEqual(['12:00:00  re-attached to job-abc123 (export)']);
  });

  it('throttles progress-only lines to one per 2 s but always prints status and message changes', async () => {
    const { lines } = await run([
      jobEvent('status', 0, snap({ progress: 10 })),
      jobEvent('progress', 500, snap({ progress: 11 })), // throttled
      jobEvent('progress', 1_000, snap({ progress: 12, message: 'Writing' })), // message changed
      jobEvent('progress', 1_500, snap({ progress: 13, message: 'Writing' })), // throttled
      jobEvent('progress', 3_000, snap({ progress: 20, message: 'Writing' })), // 2 s after the last line
      jobEvent('status', 3_100, snap({ status: 'verifying', progress: 20, message: 'Writing' })), // status change
    ]);
    expect(lines).toEqual([
      '12:00:00  job-abc123 running 10%',
      '12:00:01  job-abc123 running 12% Writing',
      '12:00:03  job-abc123 running 20% Writing',
      '12:00:03  job-abc123 verifying 20% Writing',
    ]);
  });

  it('prints a heartbeat line only after 30 s without output', async () => {
    const { lines } = await run([
      started(0),
      jobEvent('status', 0, snap({ progress: 42 })),
      jobEvent('heartbeat', 10_000, snap({ progress: 42 })),
      jobEvent('heartbeat', 29_999, snap({ progress: 42 })),
      jobEvent('heartbeat', 30_000, snap({ progress: 42 })),
      jobEvent('heartbeat', 45_000, snap({ progress: 42 })),
      jobEvent('heartbeat', 90_000, snap({ progress: 42 })),
    ]);
    expect(lines).toEqual([
      '12:00:00  export job-abc123 started',
      '12:00:00  job-abc123 running 42%',
      '12:00:30  job-abc123 still running 42% (elapsed 30s)',
      '12:01:30  job-abc123 still running 42% (elapsed 1m 30s)',
    ]);
  });

  it('prints download progress at most every 5 s', async () => {
    const { lines } = await run([
      { type: 'download-started', path: '-', totalBytes: 2_000_000, at: T0 },
      { type: 'download-progress', bytes: 100_000, at: T0 + 1_000 },
      { type: 'download-progress', bytes: 1_000_000, at: T0 + 5_000 },
      { type: 'download-progress', bytes: 1_500_000, at: T0 + 6_000 },
      { type: 'download-finished', path: '-', bytes: 2_000_000, sha256: 'cd'.repeat(32), at: T0 + 7_000 },
    ]);
    expect(lines).toEqual([
      '12:00:00  downloading to stdout (2.0 MB)',
      '12:00:05  downloaded 1.0 MB of 2.0 MB (50%)',
      '12:00:07  Wrote 2.0 MB to stdout (sha256 cdcdcdcdcdcd...)',
    ]);
  });

  it.each([
    [succeeded, '12:00:45  export job-abc123 succeeded in 12s'],
    [failed, '12:00:45  job-abc123 failed: EXPORT_STORAGE_UNAVAILABLE - storage is down'],
    [cancelled, '12:00:45  job-abc123 cancelled (partial output available)'],
  ])('prints an ASCII terminal line for %#', async (snapshot, expected) => {
    const { lines, stderr } = await run([started(0), jobEvent('terminal', 45_000, snapshot)]);
    expect(lines.at(-1)).toBe(expected);
    expect(stderr).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('does not repeat a job failure at done, but reports other errors', async () => {
    const repeated = await run([jobEvent('terminal', 0, failed), done({ snapshot: failed, exitCode: 1, errorMessage: 'job failed' })]);
    expect(repeated.stderr).not.toContain('error:');
    const integrity = await run([
      jobEvent('terminal', 0, succeeded),
      done({ snapshot: succeeded, exitCode: 7, errorMessage: 'checksum mismatch for ./export.csv' }),
    ]);
    expect(integrity.lines.at(-1)).toBe('error: checksum mismatch for ./export.csv');
  });

  it('progress none: no progress lines, but final messages', async () => {
    const { lines } = await run(
      [
        ...successLifecycle().slice(0, -1),
        { type: 'notice', level: 'warn', message: 'token expires soon', at: T0 + 46_000 },
        { type: 'notice', level: 'info', message: 'using profile ci', at: T0 + 46_000 },
      ],
      { progress: 'none' },
    );
    expect(lines).toEqual([
      'export job-abc123 succeeded in 12s',
      'Saved 1.2 MB to ./export.csv (sha256 abababababab...)',
      'warning: token expires soon',
      'using profile ci',
    ]);
  });

  it('prints the detach hint', async () => {
    const hint = 'Detached from job-abc123; it keeps running. Re-attach with: qehs jobs watch job-abc123';
    const { lines } = await run([started(0), { type: 'detached', jobId: 'job-abc123', hint, at: T0 + 1_000 }], { progress: 'none' });
    expect(lines).toEqual([hint]);
  });

  it('colours only when allowed', async () => {
    const coloured = await run([jobEvent('terminal', 0, failed)], { color: true });
    expect(coloured.stderr).toContain('\u001b[31m');
  });
});

describe('quiet', () => {
  it('prints nothing on stderr for a successful run', async () => {
    const { stderr, stdout } = await run(
      [...successLifecycle(), { type: 'notice', level: 'warn', message: 'slow', at: T0 }],
      { quiet: true, progress: 'plain' },
    );
    expect(stderr).toBe('');
    expect(stdout).toBe('');
  });

  it('still shows the failure and command errors', async () => {
    const jobFailure = await run([started(0), jobEvent('terminal', 5_000, failed), done({ snapshot: failed, exitCode: 1 })], {
      quiet: true,
    });
    expect(jobFailure.lines).toEqual(['job-abc123 failed: EXPORT_STORAGE_UNAVAILABLE - storage is down']);
    const commandError = await run([done({ exitCode: 5, errorCode: 'not_found', errorMessage: 'job job-zzz not found' })], { quiet: true });
    expect(commandError.lines).toEqual(['error: job job-zzz not found']);
  });
});
