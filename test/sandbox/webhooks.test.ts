import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_SECRET, type Sandbox } from '../../src/sandbox/index.js';
import { call, kickOffExport, manualClock, sandbox, until } from './helpers.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback webhook receiver that answers with the given statuses in turn (then 204). */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 204).end();
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    waitFor: (count: number) =>
      new Promise<void>((resolve) => (received.length >= count ? resolve() : waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

async function setup(opts: Parameters<typeof sandbox>[0], statuses: number[] = []) {
  const hook = await receiver(statuses);
  cleanups.push(hook.close);
  const sb: Sandbox = await sandbox(opts);
  cleanups.push(() => sb.close());
  return { hook, sb };
}

describe('webhook delivery', () => {
  it('POSTs the terminal snapshot once, signed per Standard Webhooks', async () => {
    const clock = manualClock(Date.now());
    const { hook, sb } = await setup({ now: clock.now });
    const { json: kick } = await kickOffExport(sb, { format: 'csv', webhookUrl: hook.url });
    clock.advance(10_000);
    const snapshot = (await call(sb, 'GET', `/api/v1/jobs/${kick.jobId}`)).json;
    await hook.waitFor(1);
    await until(() => sb.deliveries.length === 1);

    const [delivery] = hook.received;
    expect(JSON.parse(delivery!.body)).toEqual(snapshot);
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_/);
    expect(delivery!.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now() / 1000)));
    expect(delivery!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(DEFAULT_WEBHOOK_SECRET).verify(delivery!.body, delivery!.headers as Record<string, string>);
    expect(verified).toEqual(snapshot);
    expect(() => new Webhook('whsec_' + Buffer.from('another-key-entirely').toString('base64')).verify(
      delivery!.body,
      delivery!.headers as Record<string, string>,
    )).toThrow();
    expect(sb.deliveries).toEqual([
      { jobId: kick.jobId, webhookId: delivery!.headers['webhook-id'], attempt: 1, status: 204, at: expect.any(String) },
    ]);
  });

  it('retries with the same webhook-id after a failed attempt, on its own timer', async () => {
    const { hook, sb } = await setup({ speed: 50, scenario: { queuedMs: 0, durationMs: 500 } }, [500]);
    const { json: kick } = await kickOffExport(sb, { format: 'json', webhookUrl: hook.url });
    await hook.waitFor(2); // nobody polls: the terminal timer drives delivery
    await until(() => sb.deliveries.length === 2);

    const [first, second] = hook.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(JSON.parse(second!.body)).toMatchObject({ jobId: kick.jobId, status: 'succeeded' });
    expect(sb.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 204],
    ]);
  });

  it('retries after a connection failure', async () => {
    const hook = await receiver();
    await hook.close(); // nothing listens on this port now
    const { sb } = await setup({ speed: 100, scenario: { queuedMs: 0, durationMs: 100 } });
    await kickOffExport(sb, { format: 'csv', webhookUrl: hook.url });
    await until(() => sb.deliveries.length >= 2);
    expect(sb.deliveries[0]!.error).toBe('ECONNREFUSED');
    expect(sb.deliveries[1]!.attempt).toBe(2);
  });

  it('sends nothing when deliverWebhooks is off (scenario captured per job)', async () => {
    const clock = manualClock(Date.now());
    const { hook, sb } = await setup({ now: clock.now, scenario: { deliverWebhooks: false } });
    const silent = await kickOffExport(sb, { format: 'csv', webhookUrl: hook.url });
    sb.setScenario({ deliverWebhooks: true });
    const loud = await kickOffExport(sb, { format: 'csv', webhookUrl: hook.url });
    clock.advance(10_000);
    await call(sb, 'GET', `/api/v1/jobs/${silent.json.jobId}`);
    await call(sb, 'GET', `/api/v1/jobs/${loud.json.jobId}`);
    await hook.waitFor(1);
    await until(() => sb.deliveries.length === 1);
    await call(sb, 'GET', `/api/v1/jobs/${silent.json.jobId}`);
    expect(hook.received.map((r) => JSON.parse(r.body).jobId)).toEqual([loud.json.jobId]);
    expect(sb.deliveries.every((d) => d.jobId === loud.json.jobId)).toBe(true);
  });
});
