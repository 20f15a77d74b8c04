import { describe, it, expect } from 'vitest';
import { createRenderer } from '../../src/cli/output/index.js';
import { failed, jobEvent, memorySink, options, snap, started, successLifecycle, T0 } from './helpers.js';

const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

function ttyOptions(overrides: Parameters<typeof options>[0] = {}) {
  return options({ progress: 'bar', stderr: memorySink(true), ...overrides });
}

describe('tty renderer', () => {
  it('runs a whole lifecycle into a fake TTY and leaves the cursor visible', async () => {
    const opts = ttyOptions({ color: true });
    const renderer = await createRenderer(opts);
    for (const event of successLifecycle()) renderer.handle(event);
    renderer.close();
    const err = opts.stderr.text();
    expect(err).toContain(HIDE_CURSOR);
    expect(err.endsWith(SHOW_CURSOR)).toBe(true);
    expect(err).toContain('Waiting for export job-abc123…');
    expect(err).toContain('42% Collecting incidents (84/200 records)');
    expect(err).toContain('✔ export job-abc123 succeeded in 12s');
    expect(err).toContain('Saved 1.2 MB to ./export.csv (sha256 abababababab…)');
    expect(opts.stdout.text()).toBe('');
  });

  it('shows elapsed time and an ETA from the progress rate', async () => {
    const opts = ttyOptions();
    const renderer = await createRenderer(opts);
    renderer.handle(started(0));
    renderer.handle(jobEvent('status', 0, snap({ progress: 0 })));
    expect(opts.stderr.text()).toContain('0% | 0s elapsed · ETA …');
    renderer.handle(jobEvent('progress', 10_000, snap({ progress: 25 })));
    expect(opts.stderr.text()).toContain('25% | 10s elapsed · ETA 30s');
    renderer.handle(jobEvent('heartbeat', 20_000, snap({ progress: 25 })));
    expect(opts.stderr.text()).toContain('25% | 20s elapsed · ETA 1m 00s');
    renderer.close();
  });

  it('shows unknown statuses as text and prints notices above the bar', async () => {
    const opts = ttyOptions();
    const renderer = await createRenderer(opts);
    renderer.handle(jobEvent('status', 0, snap({ status: 'throttled', progress: 5 })));
    renderer.handle({ type: 'notice', level: 'warn', message: 'server is slow', at: T0 });
    renderer.handle(jobEvent('terminal', 1_000, failed));
    renderer.close();
    const err = opts.stderr.text();
    expect(err).toContain('5% throttled');
    expect(err).toContain('warning: server is slow\n');
    expect(err).toContain('✖ job-abc123 failed: EXPORT_STORAGE_UNAVAILABLE — storage is down');
  });

  it('close() is idempotent, stops timers, and ignores later events', async () => {
    const opts = ttyOptions();
    const renderer = await createRenderer(opts);
    renderer.handle(started(0));
    renderer.close();
    const afterFirstClose = opts.stderr.text();
    expect(afterFirstClose.endsWith(SHOW_CURSOR)).toBe(true);
    renderer.close();
    renderer.handle(jobEvent('status', 1_000, snap({ progress: 50 })));
    expect(opts.stderr.text()).toBe(afterFirstClose);
  });

  it('detaching stops the spinner and prints the hint', async () => {
    const opts = ttyOptions();
    const renderer = await createRenderer(opts);
    const hint = 'Detached from job-abc123; it keeps running. Re-attach with: qehs jobs watch job-abc123';
    renderer.handle(started(0));
    renderer.handle({ type: 'detached', jobId: 'job-abc123', hint, at: T0 + 1_000 });
    renderer.close();
    expect(opts.stderr.text()).toContain(`${hint}\n`);
    expect(opts.stderr.text().endsWith(SHOW_CURSOR)).toBe(true);
  });

  it('copes with a terminal that reports 0 columns (an unsized pty)', async () => {
    const stderr = Object.assign(memorySink(true), { columns: 0 });
    const opts = ttyOptions({ stderr });
    const renderer = await createRenderer(opts);
    renderer.handle(started(0));
    renderer.handle({ type: 'notice', level: 'info', message: 'hello', at: T0 });
    renderer.close();
    expect(opts.stderr.text()).toContain('hello\n');
  });

  it('without colour, writes no SGR colour codes', async () => {
    const opts = ttyOptions({ color: false });
    const renderer = await createRenderer(opts);
    for (const event of successLifecycle()) renderer.handle(event);
    renderer.close();
    expect(opts.stderr.text()).not.toMatch(/\u001b\[\d+(;\d+)*m/);
  });
});
