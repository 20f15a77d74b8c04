import { afterEach, describe, it, expect, vi } from 'vitest';
import { createRenderer } from '../../src/cli/output/index.js';
import type { UiEvent } from '../../src/cli/output/events.js';
import type { JobPart } from '../../src/sdk/types.js';
import { done, jobEvent, memorySink, options, snap, started } from './helpers.js';

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';

const part = (name: string, phase: string, rows: number, total: number): JobPart => ({ name, phase, done: rows, total, unit: 'rows' });
const syncSnap = (progress: number, parts: JobPart[], status = 'running') =>
  snap({ type: 'sync', status, progress, message: 'Copying', counts: { done: progress, total: 100, unit: 'rows' }, parts });

/** A sync of two tables: incidents copies, completes, then capas copies, then it succeeds. */
function syncLifecycle(): UiEvent[] {
  return [
    started(0),
    jobEvent('status', 0, syncSnap(0, [part('incidents', 'pending', 0, 60), part('capas', 'pending', 0, 40)], 'queued')),
    jobEvent('status', 1_000, syncSnap(10, [part('incidents', 'copying', 10, 60), part('capas', 'pending', 0, 40)])),
    jobEvent('progress', 1_500, syncSnap(30, [part('incidents', 'copying', 30, 60), part('capas', 'pending', 0, 40)])),
    jobEvent('progress', 4_000, syncSnap(70, [part('incidents', 'done', 60, 60), part('capas', 'copying', 10, 40)])),
    jobEvent('heartbeat', 40_000, syncSnap(70, [part('incidents', 'done', 60, 60), part('capas', 'copying', 10, 40)])),
    jobEvent('terminal', 45_000, syncSnap(100, [part('incidents', 'done', 60, 60), part('capas', 'done', 40, 40)], 'succeeded')),
    done(),
  ];
}

describe('plain renderer: snapshot parts', () => {
  it('prints one line per part phase change, never for unchanged parts, and no carriage returns', async () => {
    const opts = options({ progress: 'plain' });
    const renderer = await createRenderer(opts);
    for (const event of syncLifecycle()) renderer.handle(event);
    renderer.close();
    const text = opts.stderr.text();
    expect(text).not.toMatch(/[\r\u001b]/);
    const partLines = text.split('\n').filter((l) => /job-abc123 (incidents|capas):/.test(l));
    expect(partLines).toEqual([
      '12:00:01  job-abc123 incidents: copying 10/60 rows',
      '12:00:04  job-abc123 incidents: done 60/60 rows',
      '12:00:04  job-abc123 capas: copying 10/40 rows',
    ]);
  });

  it('with progress none prints no part lines', async () => {
    const opts = options({ progress: 'none' });
    const renderer = await createRenderer(opts);
    for (const event of syncLifecycle()) renderer.handle(event);
    renderer.close();
    expect(opts.stderr.text()).not.toMatch(/incidents|capas/);
  });

  it('skips malformed parts instead of crashing', async () => {
    const opts = options({ progress: 'plain' });
    const renderer = await createRenderer(opts);
    renderer.handle(jobEvent('status', 0, snap({ parts: [{ name: 5 }, null, part('sites', 'copying', 1, 6)] as unknown as JobPart[] })));
    renderer.close();
    expect(opts.stderr.text()).toContain('job-abc123 sites: copying 1/6 rows');
  });
});

describe('tty renderer: snapshot parts', () => {
  it('draws one bar per part plus the job bar (multibar), then clears it and shows the cursor again', async () => {
    const opts = options({ progress: 'bar', stderr: memorySink(true) });
    const renderer = await createRenderer(opts);
    const events = syncLifecycle();
    for (const event of events.slice(0, 3)) renderer.handle(event);
    const running = opts.stderr.text();
    expect(running).toContain(HIDE_CURSOR);
    expect(running).toMatch(/10% Copying \(10\/100 rows\)/);
    expect(running).toMatch(/incidents copying 10\/60 rows/);
    expect(running).toMatch(/capas {5}pending 0\/40 rows/); // names padded to one column
    // Three bar rows are redrawn together: the job, incidents, capas.
    const lastFrame = running.slice(running.lastIndexOf('10% Copying'));
    expect(lastFrame.indexOf('incidents')).toBeLessThan(lastFrame.indexOf('capas'));

    renderer.handle({ type: 'notice', level: 'info', message: 'a note above the bars', at: 0 });
    expect(opts.stderr.text()).toContain('a note above the bars\n');

    for (const event of events.slice(3)) renderer.handle(event);
    renderer.close();
    const all = opts.stderr.text();
    expect(all).toMatch(/capas {5}copying 10\/40 rows/);
    expect(all).toContain('✔ export job-abc123 succeeded'); // kind from job-started
    expect(all.slice(all.lastIndexOf('a note above the bars'))).toMatch(/10% Copying[^]*incidents copying 10\/60 rows[^]*capas {5}pending/); // bars redrawn below the note
    expect(all.endsWith(SHOW_CURSOR)).toBe(true);
  });

  it('falls back to the single bar for snapshots without parts', async () => {
    const opts = options({ progress: 'bar', stderr: memorySink(true) });
    const renderer = await createRenderer(opts);
    renderer.handle(started(0));
    renderer.handle(jobEvent('status', 0, snap({ progress: 40, message: 'Collecting incidents' })));
    renderer.close();
    const text = opts.stderr.text();
    expect(text).toContain('40% Collecting incidents');
    expect(text).not.toMatch(/copying|pending/);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('close() mid-run stops the multibar timer: nothing is written afterwards', async () => {
    vi.useFakeTimers();
    const opts = options({ progress: 'bar', stderr: memorySink(true) });
    const renderer = await createRenderer(opts);
    for (const event of syncLifecycle().slice(0, 3)) renderer.handle(event);
    renderer.close();
    const atClose = opts.stderr.text();
    expect(atClose.endsWith(SHOW_CURSOR)).toBe(true);
    vi.advanceTimersByTime(1_000); // ten redraw intervals at 10 fps
    expect(opts.stderr.text()).toBe(atClose);
  });
});
