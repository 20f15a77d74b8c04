import { describe, it, expect } from 'vitest';
import { Pool } from 'undici';
import { createWebhookReceiver, generateWebhookSecret, signWebhook, type WebhookEvent } from '../../src/sdk/webhooks/index.js';
import { randomBytesFrom, randomId, randomInt, seededRandom } from './helpers.js';

const TOTAL = 10_000;
const CONCURRENCY = 16;
const MAX_BODY = 2048;
const NOW_SEC = 1_775_000_000;

type Mutation =
  | 'tamperBody'
  | 'tamperId'
  | 'tamperTimestamp'
  | 'garbageSignature'
  | 'wrongVersion'
  | 'wrongSecret'
  | 'stale'
  | 'future'
  | 'malformedJson'
  | 'oversized'
  | 'wrongMethod'
  | 'wrongPath'
  | 'missingHeader'
  | 'garbageHeader'
  | 'repeatedId';

const MUTATIONS: Mutation[] = [
  'tamperBody', 'tamperId', 'tamperTimestamp', 'garbageSignature', 'wrongVersion', 'wrongSecret', 'stale', 'future',
  'malformedJson', 'oversized', 'wrongMethod', 'wrongPath', 'missingHeader', 'garbageHeader', 'repeatedId',
];

interface FuzzCase {
  kind: 'valid' | 'replay' | 'invalid';
  mutations: Mutation[];
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: string;
  expectedStatus: number;
  id: string;
}

const VISIBLE = '!#$%&()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~';
function garbageText(rand: () => number, min = 1, max = 60): string {
  let out = 'g';
  const length = randomInt(rand, min, max);
  for (let i = 0; i < length; i++) out += VISIBLE[Math.floor(rand() * VISIBLE.length)];
  return out;
}

/** Status the receiver must answer; checks run path -> method -> size -> headers -> signature -> timestamp -> JSON. */
function expectedStatusFor(m: Set<Mutation>): number {
  if (m.has('wrongPath')) return 404;
  if (m.has('wrongMethod')) return 405;
  if (m.has('oversized')) return 413;
  const signatureBroken = ['tamperBody', 'tamperId', 'tamperTimestamp', 'garbageSignature', 'wrongVersion', 'wrongSecret', 'missingHeader', 'garbageHeader', 'repeatedId'];
  if (signatureBroken.some((x) => m.has(x as Mutation))) return 401;
  if (m.has('stale') || m.has('future')) return 400;
  if (m.has('malformedJson')) return 400;
  throw new Error('unreachable: no mutation');
}

function buildCases(secret: string, receiverPath: string): FuzzCase[] {
  const rand = seededRandom(0xc0ffee);
  const otherSecret = generateWebhookSecret();
  const cases: FuzzCase[] = [];
  const accepted: FuzzCase[] = [];

  for (let i = 0; i < TOTAL; i++) {
    const roll = rand();
    if (roll < 0.03 || accepted.length === 0) {
      const id = `${randomId(rand)}_${i}`; // unique
      const body = JSON.stringify({ jobId: `job-${i}`, status: 'succeeded', n: rand() });
      const c: FuzzCase = {
        kind: 'valid', mutations: [], method: 'POST', path: receiverPath, body, id, expectedStatus: 204,
        headers: { 'webhook-id': id, 'webhook-timestamp': String(NOW_SEC), 'webhook-signature': signWebhook({ id, timestamp: NOW_SEC, body, secret }) },
      };
      cases.push(c);
      accepted.push(c);
      continue;
    }
    if (roll < 0.06) {
      const original = accepted[Math.floor(rand() * accepted.length)]!;
      cases.push({ ...original, kind: 'replay' });
      continue;
    }

    // Invalid: 1-3 mutations applied to an otherwise valid delivery.
    const mutations = new Set<Mutation>();
    const count = rand() < 0.7 ? 1 : randomInt(rand, 2, 3);
    while (mutations.size < count) mutations.add(MUTATIONS[Math.floor(rand() * MUTATIONS.length)]!);
    if (mutations.has('stale') && mutations.has('future')) mutations.delete('future');

    // Half of the invalid ones reuse an id that is (or will be) accepted: they must never cause a second event.
    const id = rand() < 0.5 ? accepted[Math.floor(rand() * accepted.length)]!.id : `${randomId(rand)}_x${i}`;
    let body = JSON.stringify({ jobId: `job-x${i}`, status: 'failed', pad: randomInt(rand, 0, 1e9) });
    if (mutations.has('malformedJson')) body = [body.slice(0, -1), '{', 'null,', '\u00ff\u0000', '"unterminated'][randomInt(rand, 0, 4)]!;
    if (mutations.has('oversized')) body = body + ' '.repeat(MAX_BODY + randomInt(rand, 1, 4 * MAX_BODY));
    let timestamp = NOW_SEC;
    if (mutations.has('stale')) timestamp = NOW_SEC - randomInt(rand, 301, 10 * 86400);
    if (mutations.has('future')) timestamp = NOW_SEC + randomInt(rand, 301, 10 * 86400);

    let signature = signWebhook({ id, timestamp, body, secret: mutations.has('wrongSecret') ? otherSecret : secret });
    if (mutations.has('wrongVersion')) signature = ['v2,', 'v1a,', 'V1,', 'v0,'][randomInt(rand, 0, 3)] + signature.slice(3);
    if (mutations.has('garbageSignature')) {
      signature = [
        () => 'v1,' + randomBytesFrom(rand, 32).toString('base64'),
        () => 'v1,' + signature.slice(3, -4),
        () => `${garbageText(rand)} ${garbageText(rand)}`,
        () => Array.from({ length: randomInt(rand, 2, 30) }, () => 'v1,' + randomBytesFrom(rand, 32).toString('base64')).join(' '),
      ][randomInt(rand, 0, 3)]!();
    }
    const headers: Record<string, string | string[]> = {
      'webhook-id': mutations.has('tamperId') ? id + 'x' : id,
      'webhook-timestamp': String(mutations.has('tamperTimestamp') ? timestamp + (rand() < 0.5 ? 1 : -1) : timestamp),
      'webhook-signature': signature,
    };
    if (mutations.has('tamperBody')) {
      const at = randomInt(rand, 0, body.length - 1);
      body = body.slice(0, at) + (body[at] === 'q' ? 'Q' : 'q') + body.slice(at + 1);
    }
    if (mutations.has('missingHeader')) delete headers[['webhook-id', 'webhook-timestamp', 'webhook-signature'][randomInt(rand, 0, 2)]!];
    if (mutations.has('garbageHeader')) {
      const name = ['webhook-id', 'webhook-timestamp', 'webhook-signature'][randomInt(rand, 0, 2)]!;
      headers[name] = garbageText(rand);
      for (let k = randomInt(rand, 0, 5); k > 0; k--) headers[`x-fz-${garbageText(rand, 1, 10).toLowerCase().replace(/[^a-z0-9-]/g, '')}`] = garbageText(rand);
    }
    if (mutations.has('repeatedId')) headers['webhook-id'] = [id, `${id}-other`];

    const method = mutations.has('wrongMethod') ? ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'][randomInt(rand, 0, 4)]! : 'POST';
    const path = mutations.has('wrongPath')
      ? [receiverPath + 'x', receiverPath.slice(0, -1), '/', '/webhooks/' + garbageText(rand, 5, 30).replace(/[^A-Za-z0-9]/g, 'a'), receiverPath + '/..'][randomInt(rand, 0, 4)]!
      : receiverPath;
    // GET/OPTIONS/DELETE with a body is legal but unusual; send bodies only where undici allows them.
    const sendBody = method === 'GET' || method === 'OPTIONS' ? '' : body;
    cases.push({ kind: 'invalid', mutations: [...mutations], method, path, headers, body: sendBody, id, expectedStatus: expectedStatusFor(mutations) });
  }
  return cases;
}

describe('receiver fuzz', () => {
  it(`accepts exactly the valid deliveries among ${TOTAL} random requests and keeps serving`, { timeout: 60_000 }, async () => {
    const secret = generateWebhookSecret();
    const receiver = await createWebhookReceiver({ secret, now: () => NOW_SEC * 1000, maxBodyBytes: MAX_BODY });
    const emitted: WebhookEvent[] = [];
    let rejected = 0;
    receiver.on('event', (e) => emitted.push(e));
    receiver.on('rejected', () => rejected++);
    const pool = new Pool(new URL(receiver.url).origin, { connections: CONCURRENCY, pipelining: 1 });
    try {
      const cases = buildCases(secret, receiver.path);
      const mismatches: string[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const res = await pool.request({ path: c.path, method: c.method as 'POST', headers: c.headers, body: c.body === '' ? undefined : c.body });
          await res.body.dump();
          if (res.statusCode !== c.expectedStatus && mismatches.length < 20) {
            mismatches.push(`${c.kind} [${c.mutations.join('+')}] ${c.method}: got ${res.statusCode}, expected ${c.expectedStatus}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      expect(mismatches).toEqual([]);

      const validIds = cases.filter((c) => c.kind === 'valid').map((c) => c.id);
      expect(validIds.length).toBeGreaterThan(200);
      expect(cases.filter((c) => c.kind === 'invalid').length).toBeGreaterThan(9000);
      // Every valid delivery exactly once; nothing else.
      expect(emitted.map((e) => e.id).sort()).toEqual([...validIds].sort());
      expect(rejected).toBe(cases.filter((c) => c.kind === 'invalid').length);

      // Still healthy afterwards.
      const body = '{"jobId":"job-final"}';
      const final = await pool.request({
        path: receiver.path,
        method: 'POST',
        headers: { 'webhook-id': 'msg_final', 'webhook-timestamp': String(NOW_SEC), 'webhook-signature': signWebhook({ id: 'msg_final', timestamp: NOW_SEC, body, secret }) },
        body,
      });
      await final.body.dump();
      expect(final.statusCode).toBe(204);
      expect(emitted.at(-1)?.id).toBe('msg_final');
    } finally {
      await pool.close();
      await receiver.close();
    }
  });
});
