import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConnectionError,
  DeadlineExceededError,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ValidationError,
  errorFromResponse,
} from '../../src/sdk/errors.js';
import { HttpClient } from '../../src/sdk/http.js';
import { startJob } from '../../src/sdk/operations/kickoff.js';
import { ORIGIN, json, mockApi } from '../helpers/mock-api.js';

const problem = (status: number, code: string, detail: string, headers: Record<string, string> = {}) => ({
  data: JSON.stringify({ type: 'about:blank', title: 'x', status, detail, code }),
  responseOptions: { headers: { 'content-type': 'application/problem+json', ...headers } },
});

describe('HttpClient retries', () => {
  it('waits exactly Retry-After on 503, then succeeds', async () => {
    const api = mockApi();
    const scope = api.pool.intercept({ path: '/api/v1/jobs/a', method: 'GET' });
    scope.reply((o) => (api.record(o), { statusCode: 503, ...problem(503, 'maintenance', 'down', { 'retry-after': '3' }) }));
    api.pool.intercept({ path: '/api/v1/jobs/a', method: 'GET' }).reply((o) => (api.record(o), { statusCode: 200, ...json({ ok: true }) }));
    const response = await api.http.requestJson({ method: 'GET', path: '/api/v1/jobs/a' });
    expect(response.body).toEqual({ ok: true });
    expect(api.clock.sleeps).toEqual([3000]);
    expect(api.calls).toHaveLength(2);
  });

  it('backs off exponentially on 500 and gives up after maxAttempts with a ServerError', async () => {
    const api = mockApi({ retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 10_000 } });
    api.pool.intercept({ path: '/x', method: 'GET' }).reply((o) => (api.record(o), { statusCode: 500, ...problem(500, 'boom', 'broken') })).times(4);
    await expect(api.http.requestJson({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(ServerError);
    expect(api.calls).toHaveLength(4);
    expect(api.clock.sleeps).toEqual([100, 200, 400]); // random() = 1 -> the full base
  });

  it('gives up with RateLimitError when 429 persists', async () => {
    const api = mockApi({ retry: { maxAttempts: 2 } });
    api.pool.intercept({ path: '/x', method: 'GET' }).reply(() => ({ statusCode: 429, ...problem(429, 'rate_limited', 'slow down', { 'retry-after': '2' }) })).times(2);
    const error = await api.http.requestJson({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(api.clock.sleeps).toEqual([2000]);
  });

  it('does not start a retry that would end after the deadline', async () => {
    const api = mockApi();
    api.pool.intercept({ path: '/x', method: 'GET' }).reply(() => ({ statusCode: 503, ...problem(503, 'busy', 'busy', { 'retry-after': '60' }) }));
    const deadline = api.clock.now() + 10_000;
    await expect(api.http.requestJson({ method: 'GET', path: '/x', deadline })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(api.clock.sleeps).toEqual([]);
  });

  it('retries a kick-off POST with the same Idempotency-Key', async () => {
    const api = mockApi();
    api.pool.intercept({ path: '/api/v1/exports', method: 'POST' }).reply((o) => (api.record(o), { statusCode: 502, ...problem(502, 'bad_gateway', 'proxy') }));
    api.pool
      .intercept({ path: '/api/v1/exports', method: 'POST' })
      .reply((o) => (api.record(o), { statusCode: 202, ...json({ jobId: 'job-7', statusUrl: `${ORIGIN}/body-url`, webhookUrl: null }, { location: '/api/v1/jobs/job-7' }) }));
    const job = await startJob(api.http, '/api/v1/exports', { format: 'csv' });
    expect(api.calls).toHaveLength(2);
    const keys = api.calls.map((c) => c.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(job).toMatchObject({ jobId: 'job-7', statusUrl: `${ORIGIN}/api/v1/jobs/job-7`, idempotencyKey: keys[0] });
  });

  it('never retries a POST without an idempotency key', async () => {
    const api = mockApi();
    api.pool.intercept({ path: '/y', method: 'POST' }).reply((o) => (api.record(o), { statusCode: 503, ...problem(503, 'busy', 'busy') }));
    await expect(api.http.requestJson({ method: 'POST', path: '/y', json: {} })).rejects.toBeInstanceOf(ServerError);
    expect(api.calls).toHaveLength(1);
  });

  it('maps a refused connection to ConnectionError after retrying', async () => {
    const api = mockApi({ retry: { maxAttempts: 3, initialDelayMs: 10 } });
    api.pool.intercept({ path: '/z', method: 'GET' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).times(3);
    await expect(api.http.requestJson({ method: 'GET', path: '/z' })).rejects.toBeInstanceOf(ConnectionError);
    expect(api.clock.sleeps).toHaveLength(2);
  });
});

describe('HttpClient safety', () => {
  it('sends the bearer token to its own origin but never to another host, and never traces it', async () => {
    const lines: string[] = [];
    const api = mockApi({ token: 'tok_live_SECRET123', trace: (l) => lines.push(l) });
    api.pool.intercept({ path: '/api/v1/jobs/a', method: 'GET' }).reply((o) => (api.record(o), { statusCode: 200, ...json({}) }));
    const other = api.agent.get('https://files.example');
    other.intercept({ path: '/f?sig=abc', method: 'GET' }).reply((o) => (api.record(o), { statusCode: 200, data: 'bytes' }));
    await api.http.requestJson({ method: 'GET', path: '/api/v1/jobs/a' });
    const stream = await api.http.openStream('https://files.example/f?sig=abc', {});
    await stream.body.resume();
    expect(api.calls[0]!.headers.authorization).toBe('Bearer tok_live_SECRET123');
    expect(api.calls[1]!.headers.authorization).toBeUndefined();
    expect(lines.join('\n')).not.toContain('SECRET123');
    expect(lines.join('\n')).not.toContain('sig=abc');
    expect(lines.length).toBeGreaterThan(0);
  });

  it('refuses plain http to a non-loopback host unless insecure', () => {
    expect(() => new HttpClient({ baseUrl: 'http://api.example.com' })).toThrow(ValidationError);
    expect(() => new HttpClient({ baseUrl: 'http://api.example.com', insecure: true })).not.toThrow();
    expect(() => new HttpClient({ baseUrl: 'http://127.0.0.1:4010' })).not.toThrow();
    expect(() => new HttpClient({ baseUrl: 'not a url' })).toThrow(/Invalid base URL/);
  });
});

describe('errorFromResponse', () => {
  const base = { method: 'GET', url: 'https://api.test/api/v1/jobs/x?token=zzz', contentType: 'application/problem+json' };
  it.each([
    [401, AuthenticationError],
    [403, AuthenticationError],
    [404, NotFoundError],
    [400, InvalidRequestError],
    [422, InvalidRequestError],
    [429, RateLimitError],
    [500, ServerError],
    [503, ServerError],
  ])('maps %i to %s', (status, type) => {
    const error = errorFromResponse({ ...base, status, body: JSON.stringify({ detail: 'why', code: 'the_code' }), requestId: 'req-1' });
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status, code: 'the_code', requestId: 'req-1' });
    expect(error.message).toContain('why');
    expect(error.message).not.toContain('zzz');
  });

  it('falls back to a default code and the raw text when the body is not problem+json', () => {
    const error = errorFromResponse({ ...base, status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
    expect(error).toMatchObject({ status: 502, code: 'server_error' });
    expect(error.message).toContain('Bad Gateway');
  });
});
