import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/sdk/webhooks/sign.js';
import { cliWorld, jobIdIn, watchStderr, type CliWorld } from '../helpers/cli.js';

let world: CliWorld;
beforeEach(async () => {
  world = await cliWorld();
});
afterEach(async () => {
  await world.close();
});

const jobGets = (jobId: string) => world.sandbox.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/jobs/${jobId}`);

describe('export --wait --webhook', () => {
  it('finishes on the signed delivery with at most 2 status requests, and downloads the file', async () => {
    world.sandbox.setScenario({ retryAfter: '1', durationMs: 600 });
    const result = await world.run(['export', '--webhook', '-o', 'hook.json'], { env: { QEHS_WEBHOOK_SECRET: world.sandbox.webhookSecret } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const jobId = jobIdIn(String(result.stderr));
    expect(String(result.stderr)).toMatch(/Signed webhook msg_[\w-]+ received: job succeeded/);
    expect(jobGets(jobId).length).toBeLessThanOrEqual(2);
    expect(world.sandbox.deliveries.some((d) => d.jobId === jobId && d.status === 204)).toBe(true);
    expect((await readFile(join(world.dir, 'hook.json'))).equals(world.sandbox.outputOf(jobId)!)).toBe(true);
    expect(String(result.stderr) + String(result.stdout)).not.toContain(world.sandbox.webhookSecret.slice(6));
  });

  it('still completes by slow polling when the delivery never comes', async () => {
    world.sandbox.setScenario({ deliverWebhooks: false, retryAfter: '0' });
    const result = await world.run(['export', '--webhook', '--fallback-poll', '400ms', '-o', 'poll.json'], {
      env: { QEHS_WEBHOOK_SECRET: world.sandbox.webhookSecret },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).not.toMatch(/Signed webhook/);
    const gets = jobGets(jobIdIn(String(result.stderr)));
    const gaps = gets.slice(1).map((g, i) => Date.parse(g.at) - Date.parse(gets[i]!.at));
    expect(gaps.every((gap) => gap >= 390)).toBe(true);
  });

  it('reports deliveries signed with another secret as rejected and falls back to polling', async () => {
    const result = await world.run(['export', '--webhook', '--fallback-poll', '300ms', '-o', 'x.json'], {
      env: { QEHS_WEBHOOK_SECRET: 'whsec_' + Buffer.from('a-different-secret-key-000000').toString('base64') },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toMatch(/Rejected a webhook delivery \(401 bad_signature\)/);
  });

  it('without a webhook secret exits 2 with a hint and sends nothing', async () => {
    const result = await world.run(['export', '--webhook']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('QEHS_WEBHOOK_SECRET');
    expect(world.sandbox.requests).toHaveLength(0);
  });

  it('--listen + --webhook-url: the public URL path is the one accepted (tunnel set-up)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await world.run(
      ['export', '--webhook', '--listen', `127.0.0.1:${port}`, '--webhook-url', `http://127.0.0.1:${port}/tunnel/qehs-hook`, '-o', 't.json'],
      { env: { QEHS_WEBHOOK_SECRET: world.sandbox.webhookSecret } },
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const jobId = jobIdIn(String(result.stderr));
    expect(world.sandbox.job(jobId)).toBeDefined();
    expect(String(result.stderr)).toMatch(/Signed webhook/);
  });
});

describe('qehs webhooks listen / verify', () => {
  const secretEnv = () => ({ QEHS_WEBHOOK_SECRET: world.sandbox.webhookSecret });

  it('prints its URL, emits verified events as JSON lines, forwards them, shows rejections, exits 0 on Ctrl-C', async () => {
    const received: { body: string; headers: IncomingMessage['headers'] }[] = [];
    const downstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        received.push({ body, headers: req.headers });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
    const downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/hooks`;
    try {
      const child = world.run(['webhooks', 'listen', '--json', '--forward-to', downstreamUrl], { env: secretEnv() });
      const waitFor = watchStderr(child);
      const url = await waitFor(/at (http:\/\/\S+) \(forwarding/);
      const body = JSON.stringify({ jobId: 'job-x1', status: 'succeeded', enqueuedAt: '2026-04-01T12:00:00Z' });
      const id = 'msg_e2e_1';
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = signWebhook({ id, timestamp, body, secret: world.sandbox.webhookSecret });
      const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
      const ok = await request(url, { method: 'POST', headers, body });
      await ok.body.dump();
      const bad = await request(url, { method: 'POST', headers: { ...headers, 'webhook-id': 'msg_e2e_2' }, body: body.replace('succeeded', 'failed') });
      await bad.body.dump();
      expect(ok.statusCode).toBeLessThan(300);
      expect(bad.statusCode).toBe(401);
      await waitFor(/rejected POST/);
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(0);
      const lines = String(result.stdout).trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ id, payload: { jobId: 'job-x1', status: 'succeeded' }, forwarded: 'forwarded 202' });
      expect(received).toHaveLength(1);
      expect(received[0]!.body).toBe(body);
      expect(received[0]!.headers['webhook-signature']).toBe(signature);
      expect(String(result.stderr)).toMatch(/bad_signature/);
    } finally {
      downstream.close();
    }
  });

  it('without a secret exits 2 naming the variable', async () => {
    const result = await world.run(['webhooks', 'listen']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('QEHS_WEBHOOK_SECRET');
  });

  it('verify: a captured delivery is 0 when intact and 7 when tampered', async () => {
    const body = '{"jobId":"job-v","status":"failed","enqueuedAt":"x","error":{"code":"E","message":"m"}}';
    const id = 'msg_verify';
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signWebhook({ id, timestamp, body, secret: world.sandbox.webhookSecret });
    await writeFile(join(world.dir, 'body.json'), body);
    const args = ['webhooks', 'verify', '--file', 'body.json', '-H', `webhook-id: ${id}`, '-H', `webhook-timestamp: ${timestamp}`, '-H', `webhook-signature: ${signature}`];
    const valid = await world.run(args, { env: secretEnv() });
    expect(valid.exitCode, String(valid.stderr)).toBe(0);
    await writeFile(join(world.dir, 'body.json'), body.replace('failed', 'succeeded'));
    const tampered = await world.run(args, { env: secretEnv() });
    expect(tampered.exitCode).toBe(7);
    expect(String(tampered.stderr)).toMatch(/bad_signature/);
    const fromStdin = await world.run(['webhooks', 'verify', '-H', `webhook-id: ${id}`, '-H', `webhook-timestamp: ${timestamp}`, '-H', `webhook-signature: ${signature}`], {
      env: secretEnv(),
      input: body,
    });
    expect(fromStdin.exitCode).toBe(0);
  });
});
