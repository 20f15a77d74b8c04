import type { JobEvent } from '../../src/sdk/job-events.js';
import type { JobSnapshot } from '../../src/sdk/types.js';
import type { Outcome, RendererOptions, TextSink, UiEvent } from '../../src/cli/output/events.js';

export const T0 = Date.parse('2026-04-01T12:00:00Z');

export interface MemorySink extends TextSink {
  text(): string;
  chunks: string[];
}

export function memorySink(tty = false): MemorySink {
  const chunks: string[] = [];
  return {
    chunks,
    isTTY: tty,
    columns: tty ? 100 : undefined,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}

export function options(overrides: Partial<RendererOptions> = {}): RendererOptions & { stdout: MemorySink; stderr: MemorySink } {
  return {
    stdout: memorySink(),
    stderr: memorySink(),
    color: false,
    quiet: false,
    json: false,
    progress: 'plain',
    now: () => T0,
    ...overrides,
  } as RendererOptions & { stdout: MemorySink; stderr: MemorySink };
}

export function snap(fields: Partial<JobSnapshot> = {}): JobSnapshot {
  return { jobId: 'job-abc123', status: 'running', enqueuedAt: '2026-04-01T12:00:00Z', type: 'export', ...fields };
}

/** A UiEvent wrapping a JobEvent at T0 + offsetMs. */
export function jobEvent(type: JobEvent['type'], offsetMs: number, snapshot: JobSnapshot): UiEvent {
  const at = T0 + offsetMs;
  switch (type) {
    case 'status':
      return { type: 'job', event: { type, snapshot, at } };
    case 'progress':
      return { type: 'job', event: { type, snapshot, previous: snapshot, at } };
    case 'heartbeat':
      return { type: 'job', event: { type, snapshot, at, sinceChangeMs: 0 } };
    case 'terminal':
      return { type: 'job', event: { type, snapshot, at } };
  }
}

export const started = (offsetMs = 0, reattached = false): UiEvent => ({
  type: 'job-started',
  jobId: 'job-abc123',
  kind: 'export',
  reattached,
  at: T0 + offsetMs,
});

export const done = (outcome: Partial<Outcome> = {}): UiEvent => ({
  type: 'done',
  outcome: { local: {}, exitCode: 0, ...outcome },
});

export const succeeded = snap({
  status: 'succeeded',
  progress: 100,
  startedAt: '2026-04-01T12:00:03Z',
  finishedAt: '2026-04-01T12:00:15Z',
  result: { download: { url: 'http://127.0.0.1/x', sizeBytes: 1_234_567, sha256: 'ab'.repeat(32), contentType: 'text/csv' } },
});
export const failed = snap({
  status: 'failed',
  finishedAt: '2026-04-01T12:00:15Z',
  error: { code: 'EXPORT_STORAGE_UNAVAILABLE', message: 'storage is down' },
});
export const cancelled = snap({ status: 'cancelled', finishedAt: '2026-04-01T12:00:15Z', result: { partial: true } });

/** A full successful lifecycle including a download. */
export function successLifecycle(): UiEvent[] {
  return [
    started(0),
    jobEvent('status', 0, snap({ status: 'queued' })),
    jobEvent('status', 3_000, snap({ status: 'running', progress: 0, startedAt: '2026-04-01T12:00:03Z' })),
    jobEvent('progress', 5_000, snap({ progress: 42, message: 'Collecting incidents', counts: { done: 84, total: 200, unit: 'records' } })),
    jobEvent('heartbeat', 40_000, snap({ progress: 42, message: 'Collecting incidents', counts: { done: 84, total: 200, unit: 'records' } })),
    jobEvent('progress', 41_000, snap({ progress: 90, message: 'Writing file' })),
    jobEvent('terminal', 45_000, succeeded),
    { type: 'download-started', path: './export.csv', totalBytes: 1_234_567, at: T0 + 45_100 },
    { type: 'download-progress', bytes: 600_000, totalBytes: 1_234_567, at: T0 + 45_200 },
    { type: 'download-finished', path: './export.csv', bytes: 1_234_567, sha256: 'ab'.repeat(32), at: T0 + 45_300 },
    done({
      snapshot: succeeded,
      local: { output: { path: './export.csv', bytes: 1_234_567, sha256: 'ab'.repeat(32) } },
    }),
  ];
}
