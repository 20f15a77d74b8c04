import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, kickOffExport } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ exportRows: 10 });
});
afterAll(() => sb.close());

describe('auth', () => {
  it('rejects a missing token with 401 problem+json and a Bearer challenge', async () => {
    const res = await call(sb, 'GET', '/api/v1/jobs', { token: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.json).toMatchObject({ status: 401, code: 'unauthenticated', title: expect.any(String), type: expect.any(String) });
  });

  it('rejects an unknown token without echoing it', async () => {
    const res = await call(sb, 'POST', '/api/v1/exports', { token: 'nope-secret-123', body: { format: 'csv' } });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('nope-secret-123');
  });

  it("answers 404 (never 403) for another tenant's job", async () => {
    const kick = await kickOffExport(sb);
    const asGlobex = await call(sb, 'GET', `/api/v1/jobs/${kick.json.jobId}`, { token: 'sandbox-token-globex' });
    expect(asGlobex.status).toBe(404);
    const cancel = await call(sb, 'DELETE', `/api/v1/jobs/${kick.json.jobId}`, { token: 'sandbox-token-globex' });
    expect(cancel.status).toBe(404);
    expect(sb.job(kick.json.jobId)?.status).not.toBe('cancelled');
    const list = await call(sb, 'GET', '/api/v1/jobs', { token: 'sandbox-token-globex' });
    expect(list.json.jobs.map((j: { jobId: string }) => j.jobId)).not.toContain(kick.json.jobId);
  });

  it('records requests with authorization redacted', async () => {
    await call(sb, 'GET', '/api/v1/jobs?limit=1');
    const last = sb.requests.findLast((r) => r.path === '/api/v1/jobs?limit=1');
    expect(last).toMatchObject({ method: 'GET', status: 200 });
    expect(last!.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(sb.requests)).not.toContain(DEFAULT_TOKEN);
  });
});

describe('kick-off', () => {
  it('answers 202 with Location and the job descriptor', async () => {
    const res = await kickOffExport(sb, { format: 'json', includeAttachments: true });
    expect(res.status).toBe(202);
    expect(res.json.jobId).toMatch(/^job-[0-9a-z]{16}$/);
    expect(res.json.statusUrl).toBe(`${sb.url}/api/v1/jobs/${res.json.jobId}`);
    expect(res.headers.get('location')).toBe(res.json.statusUrl);
    expect(res.json.webhookUrl).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('echoes webhookUrl and issues distinct ids', async () => {
    const a = await kickOffExport(sb, { format: 'csv', webhookUrl: 'http://127.0.0.1:9/hook' });
    const b = await kickOffExport(sb, { format: 'csv' });
    expect(a.json.webhookUrl).toBe('http://127.0.0.1:9/hook');
    expect(a.json.jobId).not.toBe(b.json.jobId);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await call(sb, 'POST', '/api/v1/exports', { rawBody: '{"format":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('malformed_json');
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await call(sb, 'POST', '/api/v1/exports', { rawBody: 'format=csv', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it.each([
    [{ format: 'xml' }, 'format'],
    [{}, 'format'],
    [{ format: 'csv', includeAttachments: 'yes' }, 'includeAttachments'],
    [{ format: 'csv', filters: [1] }, 'filters'],
    [{ format: 'csv', webhookUrl: 'ftp://x' }, 'webhookUrl'],
  ])('rejects invalid body %j with 422 naming %s', async (body, field) => {
    const res = await kickOffExport(sb, body);
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('invalid_request');
    expect(res.json.detail).toContain(field);
  });

  it('rejects bodies over 10 MiB with 413', async () => {
    const res = await call(sb, 'POST', '/api/v1/exports', {
      rawBody: Buffer.alloc(10 * 1024 * 1024 + 10, 0x20),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
  });
});

describe('idempotency', () => {
  it('replays the same job for the same key and body (regardless of key order)', async () => {
    const headers = { 'idempotency-key': 'key-replay-1' };
    const first = await kickOffExport(sb, { format: 'csv', includeAttachments: false }, { headers });
    const second = await kickOffExport(sb, { includeAttachments: false, format: 'csv' }, { headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const list = await call(sb, 'GET', '/api/v1/jobs?limit=100');
    expect(list.json.jobs.filter((j: { jobId: string }) => j.jobId === first.json.jobId)).toHaveLength(1);
  });

  it('rejects the same key with a different body', async () => {
    const headers = { 'idempotency-key': 'key-reuse-1' };
    await kickOffExport(sb, { format: 'csv' }, { headers });
    const res = await kickOffExport(sb, { format: 'json' }, { headers });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('idempotency_key_reused');
  });

  it('scopes keys per tenant', async () => {
    const headers = { 'idempotency-key': 'key-tenant-1' };
    const acme = await kickOffExport(sb, { format: 'csv' }, { headers });
    const globex = await kickOffExport(sb, { format: 'csv' }, { headers, token: 'sandbox-token-globex' });
    expect(globex.status).toBe(202);
    expect(globex.json.jobId).not.toBe(acme.json.jobId);
  });

  it('creates a new job each time without a key', async () => {
    const a = await kickOffExport(sb);
    const b = await kickOffExport(sb);
    expect(a.json.jobId).not.toBe(b.json.jobId);
  });
});

describe('routing', () => {
  it('answers 404 problem+json for unknown paths', async () => {
    const res = await call(sb, 'GET', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await call(sb, 'GET', '/api/v1/jobs/job-doesnotexist0000')).status).toBe(404);
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const res = await call(sb, 'GET', '/api/v1/exports');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    const jobs = await call(sb, 'PUT', '/api/v1/jobs/job-x');
    expect(jobs.status).toBe(405);
    expect(jobs.headers.get('allow')).toBe('GET, DELETE');
  });
});

describe('scenario faults and control endpoint', () => {
  it('answers the next N API requests with the scripted failure, then recovers', async () => {
    sb.setScenario({ failRequests: { status: 429, count: 2, retryAfter: '3' } });
    const first = await call(sb, 'GET', '/api/v1/jobs');
    const second = await kickOffExport(sb);
    const third = await call(sb, 'GET', '/api/v1/jobs');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.json.code).toBe('rate_limited');
    expect(second.status).toBe(429);
    expect(third.status).toBe(200);
  });

  it('accepts scenario changes over HTTP and resets them', async () => {
    const post = await call(sb, 'POST', '/_sandbox/scenario', {
      token: null,
      body: { failRequests: { status: 503, count: 1 } },
    });
    expect(post.status).toBe(200);
    expect((await call(sb, 'GET', '/api/v1/jobs')).status).toBe(503);
    expect((await call(sb, 'GET', '/api/v1/jobs')).status).toBe(200);

    await call(sb, 'POST', '/_sandbox/scenario', { token: null, body: { outcome: 'fail' } });
    expect((await call(sb, 'GET', '/_sandbox/scenario', { token: null })).json.outcome).toBe('fail');
    const reset = await call(sb, 'DELETE', '/_sandbox/scenario', { token: null });
    expect(reset.json.outcome).toBe('succeed');
  });

  it('rejects an invalid scenario patch naming the field', async () => {
    const res = await call(sb, 'POST', '/_sandbox/scenario', { token: null, body: { outcome: 'explode' } });
    expect(res.status).toBe(422);
    expect(res.json.field).toBe('outcome');
  });
});
