import { describe, it, expect } from 'vitest';
import { createRenderer } from '../../src/cli/output/index.js';
import type { UiEvent } from '../../src/cli/output/events.js';
import { done, failed, jobEvent, options, started, succeeded, successLifecycle } from './helpers.js';

async function run(events: UiEvent[], overrides: Parameters<typeof options>[0] = {}) {
  const opts = options({ json: true, progress: 'none', ...overrides });
  const renderer = await createRenderer(opts);
  for (const event of events) renderer.handle(event);
  renderer.close();
  return { stdout: opts.stdout.text(), stderr: opts.stderr.text() };
}

/** Exactly one JSON document, pretty-printed, ending in one newline. */
function parseSingleDocument(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('}\n')).toBe(true);
  expect(stdout.indexOf('\n}\n')).toBe(stdout.length - 3);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('json output', () => {
  it('success: snapshot fields at top level plus local, and nothing else on stdout', async () => {
    const { stdout } = await run(successLifecycle());
    expect(stdout).toContain('\n  "jobId": "job-abc123"'); // 2-space indentation
    const doc = parseSingleDocument(stdout);
    expect(doc).toMatchObject({
      jobId: 'job-abc123',
      status: 'succeeded',
      progress: 100,
      result: { download: { sizeBytes: 1_234_567 } },
      local: { output: { path: './export.csv', bytes: 1_234_567 } },
    });
  });

  it('failure: the snapshot error is at the top level; human failure line goes to stderr', async () => {
    const { stdout, stderr } = await run([started(0), jobEvent('terminal', 1_000, failed), done({ snapshot: failed, exitCode: 1 })]);
    const doc = parseSingleDocument(stdout);
    expect(doc.status).toBe('failed');
    expect(doc.error).toEqual({ code: 'EXPORT_STORAGE_UNAVAILABLE', message: 'storage is down' });
    expect(doc.local).toEqual({});
    expect(stderr).toContain('job-abc123 failed: EXPORT_STORAGE_UNAVAILABLE');
  });

  it('no snapshot: error code and message, exit code and local facts', async () => {
    const { stdout, stderr } = await run([
      done({ exitCode: 5, errorCode: 'not_found', errorMessage: 'job job-zzz not found', local: { detached: false } }),
    ]);
    expect(parseSingleDocument(stdout)).toEqual({
      error: { code: 'not_found', message: 'job job-zzz not found' },
      exitCode: 5,
      local: { detached: false },
    });
    expect(stderr).toBe('error: job job-zzz not found\n');
  });

  it('writes the document once even if done arrives twice', async () => {
    const { stdout } = await run([done({ snapshot: succeeded }), done({ snapshot: succeeded })]);
    parseSingleDocument(stdout);
  });

  it('keeps human progress on stderr when asked for it', async () => {
    const { stdout, stderr } = await run(successLifecycle(), { progress: 'plain' });
    expect(parseSingleDocument(stdout).status).toBe('succeeded');
    expect(stderr).toContain('job-abc123 running 42%');
    expect(stderr).not.toContain('"jobId"');
  });
});
