// POST /api/v1/imports against a real sandbox: raw bodies, refusals, idempotency by bytes, rollback on cancel.
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, manualClock, sandbox } from '../sandbox/helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CSV = 'site,title,status,date,severity,owner\nLyon Depot,Ladder fall,open,2025-02-03,low,a@example.com\n';

function upload(sb: Sandbox, body: string, query = 'entity=incidents&mode=create&format=csv', headers: Record<string, string> = {}) {
  return call(sb, 'POST', `/api/v1/imports?${query}`, { rawBody: body, headers: { 'content-type': 'text/csv', ...headers } });
}

async function exportedCsv(sb: Sandbox, clock: ReturnType<typeof manualClock>): Promise<string> {
  const kicked = await call(sb, 'POST', '/api/v1/exports', { body: { format: 'csv' } });
  clock.advance(60_000);
  const snap = await call(sb, 'GET', `/api/v1/jobs/${kicked.json.jobId}`);
  expect(snap.json.status).toBe('succeeded');
  return sb.outputOf(kicked.json.jobId)!.toString('utf8');
}

describe('POST /api/v1/imports', () => {
  it('accepts a raw CSV body: 202 + Location, counts in rows, rows applied at success', async () => {
    const clock = manualClock();
    const sb = await sandbox({ now: clock.now, scenario: { queuedMs: 0, durationMs: 1000 } }, (f) => cleanups.push(f));
    const res = await upload(sb, CSV);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(res.json.statusUrl);
    clock.advance(500);
    const running = await call(sb, 'GET', `/api/v1/jobs/${res.json.jobId}`);
    expect(running.json).toMatchObject({ status: 'running', type: 'import', counts: { total: 1, unit: 'rows' } });
    clock.advance(1000);
    const done = await call(sb, 'GET', `/api/v1/jobs/${res.json.jobId}`);
    expect(done.json.result).toMatchObject({ created: 1, failed: 0, errors: [], errorCount: 0 });
    expect(await exportedCsv(sb, clock)).toMatch(/incidents,INC-0021,Lyon Depot,Ladder fall,open,2025-02-03/);
  });

  it('a cancelled import leaves the tenant unchanged', async () => {
    const clock = manualClock();
    const sb = await sandbox({ now: clock.now, scenario: { queuedMs: 0, durationMs: 1000 } }, (f) => cleanups.push(f));
    const res = await upload(sb, CSV);
    clock.advance(900);
    const cancelled = await call(sb, 'DELETE', `/api/v1/jobs/${res.json.jobId}`);
    expect(cancelled.json.status).toBe('cancelled');
    expect(cancelled.json.result).toBeUndefined();
    expect(await exportedCsv(sb, clock)).not.toContain('Ladder fall');
  });

  it('refuses an unknown content type (415), bad parameters and unreadable files (422, naming the line)', async () => {
    const sb = await sandbox({}, (f) => cleanups.push(f));
    const wrongType = await upload(sb, CSV, 'entity=incidents', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('accept-post')).toContain('application/x-ndjson');
    const badEntity = await upload(sb, CSV, 'entity=widgets');
    expect(badEntity).toMatchObject({ status: 422, json: { field: 'entity' } });
    const broken = await upload(sb, 'site,title\nA,"open\n', 'entity=incidents');
    expect(broken.status).toBe(422);
    expect(broken.json.detail).toMatch(/^line 2: /);
    const badWebhook = await upload(sb, CSV, 'entity=incidents&webhookUrl=ftp%3A%2F%2Fx');
    expect(badWebhook).toMatchObject({ status: 422, json: { field: 'webhookUrl' } });
    expect(sb.requests.filter((r) => r.status === 202)).toHaveLength(0);
  });

  it('format comes from the content type when the query omits it', async () => {
    const sb = await sandbox({}, (f) => cleanups.push(f));
    const res = await call(sb, 'POST', '/api/v1/imports?entity=observations', {
      rawBody: '{"site":"A","title":"Blocked exit","status":"open","date":"2025-01-01"}\n',
      headers: { 'content-type': 'application/x-ndjson; charset=utf-8' },
    });
    expect(res.status).toBe(202);
    expect(sb.job(res.json.jobId)!.counts).toMatchObject({ total: 1 });
  });

  it('Idempotency-Key: same bytes and query replay the job; different bytes are refused', async () => {
    const sb = await sandbox({}, (f) => cleanups.push(f));
    const key = { 'idempotency-key': 'k-import-1' };
    const first = await upload(sb, CSV, undefined, key);
    const again = await upload(sb, CSV, undefined, key);
    expect(again.status).toBe(202);
    expect(again.json.jobId).toBe(first.json.jobId);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const changed = await upload(sb, CSV.replace('Ladder', 'Stair'), undefined, key);
    expect(changed).toMatchObject({ status: 422, json: { code: 'idempotency_key_reused' } });
    const otherMode = await upload(sb, 'id\nINC-0001\n', 'entity=incidents&mode=delete', key);
    expect(otherMode.status).toBe(422);
  });
});

describe('SDK imports.start against the sandbox', () => {
  it('streams the file from disk and re-sends it whole when the kick-off is retried (same key, one job)', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { QehsClient } = await import('../../src/sdk/client.js');
    const dir = await mkdtemp(join(tmpdir(), 'qehs-import-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'rows.ndjson');
    await writeFile(path, '{"id":"OBS-0001"}\n{"id":"OBS-0002"}\n');
    const sb = await sandbox({ scenario: { failRequests: { status: 503, count: 1, retryAfter: '0' } } }, (f) => cleanups.push(f));
    const client = new QehsClient({ baseUrl: sb.url, token: sb.defaultToken });

    const job = await client.imports.start({ path, entity: 'observations', mode: 'delete' }, { webhookUrl: 'http://127.0.0.1:9/hook' });
    const posts = sb.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.status)).toEqual([503, 202]);
    expect(posts[0]!.headers['idempotency-key']).toBe(posts[1]!.headers['idempotency-key']);
    expect(posts[1]!.headers['content-type']).toBe('application/x-ndjson');
    expect(posts[1]!.path).toContain('entity=observations&mode=delete&format=ndjson');
    expect(job.webhookUrl).toBe('http://127.0.0.1:9/hook');
    expect(sb.job(job.jobId)!.counts).toMatchObject({ total: 2, unit: 'rows' });
    await expect(client.imports.start({ path: join(dir, 'missing.csv'), entity: 'observations' })).rejects.toThrow(/not a file/);
    await expect(client.imports.start({ path: join(dir, 'rows.txt'), entity: 'observations' })).rejects.toThrow(/Cannot tell the format/);
  });
});
