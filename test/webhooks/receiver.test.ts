import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import {
  createWebhookReceiver,
  generateWebhookSecret,
  webhookHeaders,
  WebhookVerificationError,
  type WebhookEvent,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookRejection,
} from '../../src/sdk/webhooks/index.js';
import { LruSet } from '../../src/sdk/webhooks/lru.js';

const NOW_SEC = 1_775_000_000;
const now = () => NOW_SEC * 1000;
const secret = generateWebhookSecret();

interface Harness {
  receiver: WebhookReceiver;
  events: WebhookEvent[];
  rejections: WebhookRejection[];
}

async function start(overrides: Partial<WebhookReceiverOptions> = {}): Promise<Harness> {
  const receiver = await createWebhookReceiver({ secret, now, maxBodyBytes: 4096, ...overrides });
  const events: WebhookEvent[] = [];
  const rejections: WebhookRejection[] = [];
  receiver.on('event', (e) => events.push(e));
  receiver.on('rejected', (r) => rejections.push(r));
  return { receiver, events, rejections };
}

function signed(id: string, body: string, timestamp = NOW_SEC) {
  return webhookHeaders({ id, timestamp, body, secret });
}

async function send(
  receiver: WebhookReceiver,
  opts: { body?: string | Buffer | Readable; headers?: Record<string, string>; method?: string; path?: string } = {},
) {
  const res = await request(new URL(opts.path ?? receiver.path, receiver.url), {
    method: (opts.method ?? 'POST') as 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: opts.body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

/** Sends raw bytes over a fresh socket and returns whatever the server answers before closing. */
function rawExchange(port: number, payload: string | Buffer, opts: { endAfterWrite?: boolean; destroyAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
    socket.write(payload);
    if (opts.endAfterWrite) socket.end();
    if (opts.destroyAfterMs !== undefined) setTimeout(() => socket.destroy(), opts.destroyAfterMs);
  });
}

let h: Harness;
beforeEach(async () => {
  h = await start();
});
afterEach(async () => {
  await h.receiver.close();
});

describe('createWebhookReceiver', () => {
  it('listens on loopback, port 0, with an unguessable default path', async () => {
    const other = await createWebhookReceiver({ secret });
    try {
      expect(h.receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/[A-Za-z0-9_-]{24}$/);
      expect(h.receiver.port).toBeGreaterThan(0);
      expect(h.receiver.url).toBe(`http://127.0.0.1:${h.receiver.port}${h.receiver.path}`);
      expect(other.path).not.toBe(h.receiver.path);
    } finally {
      await other.close();
    }
  });

  it('rejects an unusable secret up front', async () => {
    await expect(createWebhookReceiver({ secret: 'whsec_!!!' })).rejects.toBeInstanceOf(WebhookVerificationError);
  });

  it('rejects bad options before listening', async () => {
    await expect(createWebhookReceiver({ secret, dedupeCapacity: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(createWebhookReceiver({ secret, maxBodyBytes: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(createWebhookReceiver({ secret, path: 'no-slash' })).rejects.toBeInstanceOf(TypeError);
  });

  it('honours a custom path', async () => {
    const custom = await start({ path: '/hooks/qehs' });
    try {
      expect(custom.receiver.url.endsWith('/hooks/qehs')).toBe(true);
      const body = '{"jobId":"job-1"}';
      expect((await send(custom.receiver, { body, headers: signed('msg_custom', body) })).status).toBe(204);
      expect(custom.events).toHaveLength(1);
    } finally {
      await custom.receiver.close();
    }
  });
});

describe('accepting deliveries', () => {
  it('answers 204 and emits the verified event with raw body and headers', async () => {
    const body = '{ "jobId": "job-abc123", "status": "succeeded" }';
    const res = await send(h.receiver, { body, headers: { ...signed('msg_ok', body), 'x-extra': 'yes' } });
    expect(res.status).toBe(204);
    expect(h.events).toHaveLength(1);
    const [event] = h.events;
    expect(event!.id).toBe('msg_ok');
    expect(event!.timestamp).toBe(NOW_SEC);
    expect(event!.payload).toEqual({ jobId: 'job-abc123', status: 'succeeded' });
    expect(event!.rawBody.toString('utf8')).toBe(body); // exact bytes, not re-serialised
    expect(event!.headers['x-extra']).toBe('yes');
    expect(event!.headers['webhook-id']).toBe('msg_ok');
    expect(event!.receivedAt).toBe(now());
    expect(h.rejections).toHaveLength(0);
  });

  it('accepts a query string on the secret path', async () => {
    const body = '{}';
    expect((await send(h.receiver, { body, headers: signed('msg_q', body), path: h.receiver.path + '?attempt=2' })).status).toBe(204);
    expect(h.events).toHaveLength(1);
  });

  it('answers a replayed webhook-id with 2xx but emits it only once', async () => {
    const body = '{"jobId":"job-1"}';
    const first = await send(h.receiver, { body, headers: signed('msg_replay', body) });
    const second = await send(h.receiver, { body, headers: signed('msg_replay', body) });
    // Same id re-signed with another timestamp and body (a sender retry) is still a duplicate.
    const other = '{"jobId":"job-1","retry":true}';
    const third = await send(h.receiver, { body: other, headers: signed('msg_replay', other, NOW_SEC - 10) });
    expect([first.status, second.status, third.status]).toEqual([204, 204, 204]);
    expect(h.events.map((e) => e.id)).toEqual(['msg_replay']);
  });

  it('only verified ids enter the dedupe set (unsigned requests cannot poison it)', async () => {
    const body = '{"jobId":"job-2"}';
    const forged = { ...signed('msg_target', body), 'webhook-signature': 'v1,' + Buffer.alloc(32).toString('base64') };
    expect((await send(h.receiver, { body, headers: forged })).status).toBe(401);
    const stale = signed('msg_target', body, NOW_SEC - 3600);
    expect((await send(h.receiver, { body, headers: stale })).status).toBe(400);
    expect((await send(h.receiver, { body, headers: signed('msg_target', body) })).status).toBe(204);
    expect(h.events.map((e) => e.id)).toEqual(['msg_target']);
  });

  it('bounds dedupe memory: the least recently seen id is forgotten past capacity', async () => {
    const small = await start({ dedupeCapacity: 2 });
    try {
      const deliver = (id: string) => send(small.receiver, { body: '{}', headers: signed(id, '{}') });
      for (const id of ['a', 'b', 'c', 'b', 'a']) expect((await deliver(id)).status).toBe(204);
      // a evicted by c; b refreshed; a again -> emitted again (evicts c)
      expect(small.events.map((e) => e.id)).toEqual(['a', 'b', 'c', 'a']);
    } finally {
      await small.receiver.close();
    }
  });
});

describe('rejection matrix', () => {
  const body = '{"jobId":"job-x"}';

  it.each([
    ['missing headers', 401, 'missing_headers', () => ({ body, headers: {} })],
    ['missing signature', 401, 'missing_headers', () => ({ body, headers: { 'webhook-id': 'm', 'webhook-timestamp': String(NOW_SEC) } })],
    ['bad signature', 401, 'bad_signature', () => ({ body, headers: { ...signed('m1', body), 'webhook-signature': 'v1,AAAA' } })],
    ['tampered body', 401, 'bad_signature', () => ({ body: body + ' ', headers: signed('m2', body) })],
    ['stale timestamp', 400, 'stale_timestamp', () => ({ body, headers: signed('m3', body, NOW_SEC - 301) })],
    ['future timestamp', 400, 'stale_timestamp', () => ({ body, headers: signed('m4', body, NOW_SEC + 301) })],
    ['malformed JSON', 400, 'malformed_json', () => ({ body: '{"jobId":', headers: signed('m5', '{"jobId":') })],
    ['oversized body', 413, 'payload_too_large', () => ({ body: ' '.repeat(5000), headers: signed('m6', ' '.repeat(5000)) })],
    ['GET', 405, 'method_not_allowed', () => ({ method: 'GET' })],
    ['PUT with a signed body', 405, 'method_not_allowed', () => ({ method: 'PUT', body, headers: signed('m7', body) })],
    ['other path', 404, 'not_found', () => ({ body, headers: signed('m8', body), path: '/webhooks/guess' })],
    ['path prefix', 404, 'not_found', (r: WebhookReceiver) => ({ body, headers: signed('m9', body), path: r.path.slice(0, -1) })],
    ['path suffix', 404, 'not_found', (r: WebhookReceiver) => ({ body, headers: signed('m10', body), path: r.path + '/' })],
    ['DELETE on other path', 404, 'not_found', () => ({ method: 'DELETE', path: '/' })],
  ] as const)('%s -> %i %s', async (_name, status, reason, make) => {
    const res = await send(h.receiver, make(h.receiver));
    expect(res.status).toBe(status);
    if (status !== 405) expect(res.headers['allow']).toBeUndefined();
    else expect(res.headers['allow']).toBe('POST');
    expect(JSON.parse(res.text)).toMatchObject({ status, code: reason });
    expect(h.events).toHaveLength(0);
    expect(h.rejections).toHaveLength(1);
    expect(h.rejections[0]).toMatchObject({ reason, status, receivedAt: now() });
  });

  it('413 for a chunked upload of unknown length that crosses the limit', async () => {
    const chunks = Readable.from((function* () {
      for (let i = 0; i < 100; i++) yield Buffer.alloc(1000, 0x20);
    })());
    const res = await send(h.receiver, { body: chunks, headers: signed('m_chunked', '{}') });
    expect(res.status).toBe(413);
    expect(h.events).toHaveLength(0);
  });

  it('answers 413 from the declared length without waiting for the body', async () => {
    const head =
      `POST ${h.receiver.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n` +
      Object.entries(signed('m_big', '{}')).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      '\r\n{"partial":';
    const answer = await rawExchange(h.receiver.port, head); // never sends the remaining ~50 MB
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
  });

  it('redacts the generated secret path in rejection reports', async () => {
    await send(h.receiver, { method: 'GET' });
    await send(h.receiver, { method: 'GET', path: '/elsewhere?x=1' });
    expect(h.rejections.map((r) => r.path)).toEqual(['/webhooks/[redacted]', '/elsewhere']);
    expect(JSON.stringify(h.rejections)).not.toContain(h.receiver.path);
    expect(JSON.stringify(h.rejections)).not.toContain(secret);
  });
});

describe('robustness', () => {
  async function stillServes(): Promise<void> {
    const body = '{"ok":true}';
    const id = `msg_alive_${h.events.length}`;
    expect((await send(h.receiver, { body, headers: signed(id, body) })).status).toBe(204);
    expect(h.events.at(-1)?.id).toBe(id);
  }

  it('survives garbage requests, bad header bytes and aborted uploads without emitting', async () => {
    const answers = await Promise.all([
      rawExchange(h.receiver.port, 'this is not http\r\n\r\n', { endAfterWrite: true }),
      rawExchange(h.receiver.port, Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]), { endAfterWrite: true }),
      rawExchange(h.receiver.port, `POST ${h.receiver.path} HTTP/1.1\r\nHost: x\r\nwebhook-id: a\x01b\r\n\r\n`, { endAfterWrite: true }),
      rawExchange(h.receiver.port, `POST ${h.receiver.path} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`, { endAfterWrite: true }),
      rawExchange(h.receiver.port, `POST ${h.receiver.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"jobId"`, { destroyAfterMs: 20 }),
      rawExchange(h.receiver.port, `POST ${h.receiver.path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`, { endAfterWrite: true }),
      rawExchange(h.receiver.port, `POST ${h.receiver.path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":`, { destroyAfterMs: 20 }),
    ]);
    for (const answer of answers) expect(answer === '' || /^HTTP\/1\.1 4\d\d /.test(answer)).toBe(true);
    expect(h.events).toHaveLength(0);
    await stillServes();
  });

  it('a signed but aborted upload is not accepted and its id is not remembered', async () => {
    const body = '{"jobId":"job-abort","padding":"xxxxxxxxxxxxxxxxxxxxxxxx"}';
    const headers = signed('msg_abort', body);
    const head =
      `POST ${h.receiver.path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n` +
      Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      '\r\n' +
      body.slice(0, 10);
    expect(await rawExchange(h.receiver.port, head, { destroyAfterMs: 20 })).toBe('');
    expect(h.events).toHaveLength(0);
    expect((await send(h.receiver, { body, headers })).status).toBe(204);
    expect(h.events.map((e) => e.id)).toEqual(['msg_abort']);
  });
});

describe('onEvent hook', () => {
  it('sees raw body and headers before the sender is answered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: WebhookEvent[] = [];
    const hooked = await start({
      onEvent: async (e) => {
        seen.push(e);
        await gate;
      },
    });
    try {
      const body = '{"jobId":"job-fwd"}';
      let answered = false;
      const pending = send(hooked.receiver, { body, headers: signed('msg_fwd', body) }).then((r) => ((answered = true), r));
      await expect.poll(() => seen.length).toBe(1);
      expect(answered).toBe(false);
      expect(hooked.events).toHaveLength(0);
      release();
      expect((await pending).status).toBe(204);
      expect(seen[0]!.rawBody.toString()).toBe(body);
      expect(seen[0]!.headers['webhook-signature']).toBe(signed('msg_fwd', body)['webhook-signature']);
      expect(hooked.events.map((e) => e.id)).toEqual(['msg_fwd']);
    } finally {
      await hooked.receiver.close();
    }
  });

  it('a failing hook answers 500, emits no event, and a retry is delivered again', async () => {
    let calls = 0;
    const hooked = await start({
      onEvent: () => {
        calls++;
        if (calls === 1) throw new Error('forward target down');
      },
    });
    try {
      const body = '{"jobId":"job-retry"}';
      const first = await send(hooked.receiver, { body, headers: signed('msg_retry', body) }); // no 'error' listener: must not crash
      expect(first.status).toBe(500);
      expect(hooked.rejections).toMatchObject([{ reason: 'handler_failed', status: 500 }]);
      expect(hooked.events).toHaveLength(0);
      const errors: Error[] = [];
      hooked.receiver.on('error', (e) => errors.push(e));
      expect((await send(hooked.receiver, { body, headers: signed('msg_retry', body) })).status).toBe(204);
      expect(hooked.events.map((e) => e.id)).toEqual(['msg_retry']);
      expect(calls).toBe(2);
      expect(errors).toHaveLength(0);
    } finally {
      await hooked.receiver.close();
    }
  });
});

describe('events() async iterator', () => {
  it('yields verified events in order and stops on abort', async () => {
    const controller = new AbortController();
    const collected: string[] = [];
    const consumer = (async () => {
      for await (const e of h.receiver.events(controller.signal)) {
        collected.push(e.id);
        if (collected.length === 2) controller.abort();
      }
    })();
    for (const id of ['it_1', 'it_1', 'it_2']) await send(h.receiver, { body: '{}', headers: signed(id, '{}') });
    await consumer;
    expect(collected).toEqual(['it_1', 'it_2']);
    expect(h.receiver.listenerCount('event')).toBe(1); // only the harness listener remains
  });

  it('ends when the receiver closes, after yielding what already arrived', async () => {
    const local = await start();
    const iterator = local.receiver.events()[Symbol.asyncIterator]();
    await send(local.receiver, { body: '{}', headers: signed('close_1', '{}') });
    await local.receiver.close();
    expect((await iterator.next()).value).toMatchObject({ id: 'close_1' });
    expect((await iterator.next()).done).toBe(true);
  });

  it('an iterator that is never started unsubscribes on abort', () => {
    const controller = new AbortController();
    h.receiver.events(controller.signal);
    h.receiver.events(AbortSignal.abort());
    expect(h.receiver.listenerCount('event')).toBe(2);
    controller.abort();
    expect(h.receiver.listenerCount('event')).toBe(1);
  });

  it('an already-aborted signal yields nothing', async () => {
    const items: unknown[] = [];
    for await (const e of h.receiver.events(AbortSignal.abort())) items.push(e);
    expect(items).toEqual([]);
  });
});

describe('LruSet', () => {
  it('evicts the least recently added/refreshed key', () => {
    const lru = new LruSet(3);
    for (const k of ['a', 'b', 'c']) lru.add(k);
    lru.add('a'); // refresh
    lru.add('d'); // evicts b
    expect(['a', 'b', 'c', 'd'].map((k) => lru.has(k))).toEqual([true, false, true, true]);
    expect(lru.size).toBe(3);
    expect(() => new LruSet(0)).toThrow(RangeError);
  });
});
