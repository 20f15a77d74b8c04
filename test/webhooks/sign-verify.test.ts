import { describe, it, expect } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  decodeWebhookSecret,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '../../src/sdk/webhooks/index.js';
import { randomId, randomInt, randomJsonBody, seededRandom } from './helpers.js';

// Published Standard Webhooks test vector.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const vectorNow = () => VECTOR.timestamp * 1000;

function vectorHeaders(overrides: Record<string, string | string[] | undefined> = {}) {
  return {
    'webhook-id': VECTOR.id,
    'webhook-timestamp': String(VECTOR.timestamp),
    'webhook-signature': VECTOR.signature,
    ...overrides,
  };
}

function reasonOf(fn: () => unknown): WebhookVerificationReason | 'no error' {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).reason;
  }
  return 'no error';
}

describe('signWebhook', () => {
  it('reproduces the published vector for string and byte bodies', () => {
    expect(signWebhook(VECTOR)).toBe(VECTOR.signature);
    const bytes = new TextEncoder().encode(VECTOR.body);
    expect(signWebhook({ ...VECTOR, body: bytes })).toBe(VECTOR.signature);
    // A Uint8Array view into a larger buffer signs only its own bytes.
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);
    expect(signWebhook({ ...VECTOR, body: padded.subarray(4, 4 + bytes.length) })).toBe(VECTOR.signature);
  });

  it('accepts the secret without the whsec_ prefix', () => {
    expect(signWebhook({ ...VECTOR, secret: VECTOR.secret.slice('whsec_'.length) })).toBe(VECTOR.signature);
  });

  it('signs the raw bytes: re-serialised JSON gives a different signature', () => {
    const reserialised = JSON.stringify(JSON.parse(VECTOR.body));
    expect(reserialised).not.toBe(VECTOR.body);
    expect(signWebhook({ ...VECTOR, body: reserialised })).not.toBe(VECTOR.signature);
  });

  it('webhookHeaders returns the three headers', () => {
    expect(webhookHeaders(VECTOR)).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
    });
  });

  it('rejects an undecodable secret without echoing it', () => {
    for (const secret of ['whsec_', '', 'whsec_not base64!!', 'whsec_***']) {
      expect(() => signWebhook({ ...VECTOR, secret })).toThrow(/not valid base64/);
      try {
        signWebhook({ ...VECTOR, secret });
      } catch (err) {
        if (secret.length > 6) expect((err as Error).message).not.toContain(secret);
      }
    }
  });
});

describe('generateWebhookSecret', () => {
  it('returns whsec_ + base64 of 24 random bytes, different each time', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(decodeWebhookSecret(a)).toHaveLength(24);
    expect(a).not.toBe(b);
  });
});

describe('verifyWebhook', () => {
  it('verifies the published vector and returns id, timestamp and parsed payload', () => {
    expect(verifyWebhook(VECTOR.body, vectorHeaders(), VECTOR.secret, { now: vectorNow })).toEqual({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      payload: { test: 2432232314 },
    });
  });

  it('looks headers up case-insensitively and accepts array values', () => {
    const headers = {
      'Webhook-Id': VECTOR.id,
      'WEBHOOK-TIMESTAMP': [String(VECTOR.timestamp)],
      'webhook-Signature': VECTOR.signature,
    };
    expect(verifyWebhook(VECTOR.body, headers, VECTOR.secret, { now: vectorNow }).id).toBe(VECTOR.id);
  });

  it('accepts when any of several signatures matches, and ignores other versions', () => {
    const other = 'v1,' + Buffer.alloc(32, 7).toString('base64');
    const sig = `v1a,${VECTOR.signature.slice(3)} ${other} ${VECTOR.signature}`;
    expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ 'webhook-signature': sig }), VECTOR.secret, { now: vectorNow }))).toBe('no error');
    // Signatures split over repeated headers also work.
    const repeated = vectorHeaders({ 'webhook-signature': [other, VECTOR.signature] });
    expect(reasonOf(() => verifyWebhook(VECTOR.body, repeated, VECTOR.secret, { now: vectorNow }))).toBe('no error');
  });

  it('rejects a correct MAC under the wrong version prefix', () => {
    for (const prefix of ['v1a,', 'v2,', 'V1,', ',', '']) {
      const sig = prefix + VECTOR.signature.slice(3);
      expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ 'webhook-signature': sig }), VECTOR.secret, { now: vectorNow }))).toBe(
        'bad_signature',
      );
    }
  });

  it('rejects tampered body, id, timestamp and signature', () => {
    const opts = { now: vectorNow };
    expect(reasonOf(() => verifyWebhook('{"test": 2432232315}', vectorHeaders(), VECTOR.secret, opts))).toBe('bad_signature');
    expect(reasonOf(() => verifyWebhook(VECTOR.body + ' ', vectorHeaders(), VECTOR.secret, opts))).toBe('bad_signature');
    expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ 'webhook-id': VECTOR.id + 'x' }), VECTOR.secret, opts))).toBe('bad_signature');
    expect(
      reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ 'webhook-timestamp': String(VECTOR.timestamp + 1) }), VECTOR.secret, opts)),
    ).toBe('bad_signature');
    const flipped = VECTOR.signature.slice(0, -2) + (VECTOR.signature.at(-2) === 'A' ? 'B' : 'A') + '=';
    expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ 'webhook-signature': flipped }), VECTOR.secret, opts))).toBe('bad_signature');
    // Same MAC under a different secret.
    expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders(), generateWebhookSecret(), opts))).toBe('bad_signature');
  });

  it('rejects non-canonical timestamps (the signed string must match exactly)', () => {
    for (const ts of ['01614265330', '1614265330.0', ' 1614265330x', '-1', '1e9', 'abc']) {
      expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ 'webhook-timestamp': ts }), VECTOR.secret, { now: vectorNow }))).toBe(
        'missing_headers',
      );
    }
  });

  it('enforces the tolerance in both directions, inclusive at the edge', () => {
    const at = (offsetSec: number, toleranceSec?: number) => () =>
      verifyWebhook(VECTOR.body, vectorHeaders(), VECTOR.secret, { now: () => (VECTOR.timestamp + offsetSec) * 1000, toleranceSec });
    expect(reasonOf(at(300))).toBe('no error');
    expect(reasonOf(at(-300))).toBe('no error');
    expect(reasonOf(at(301))).toBe('stale_timestamp'); // too old
    expect(reasonOf(at(-301))).toBe('stale_timestamp'); // from the future
    expect(reasonOf(at(31, 30))).toBe('stale_timestamp');
    expect(reasonOf(at(30, 30))).toBe('no error');
  });

  it('checks the signature before the timestamp (unsigned requests learn nothing)', () => {
    const headers = vectorHeaders({ 'webhook-signature': 'v1,' + Buffer.alloc(32).toString('base64') });
    expect(reasonOf(() => verifyWebhook(VECTOR.body, headers, VECTOR.secret, { now: () => 0 }))).toBe('bad_signature');
  });

  it('reports missing, empty or repeated headers', () => {
    const opts = { now: vectorNow };
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ [name]: undefined }), VECTOR.secret, opts))).toBe('missing_headers');
      expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ [name]: '' }), VECTOR.secret, opts))).toBe('missing_headers');
      expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ [name]: [] }), VECTOR.secret, opts))).toBe('missing_headers');
    }
    expect(reasonOf(() => verifyWebhook(VECTOR.body, vectorHeaders({ 'webhook-id': [VECTOR.id, 'msg_other'] }), VECTOR.secret, opts))).toBe(
      'missing_headers',
    );
    expect(reasonOf(() => verifyWebhook(VECTOR.body, {}, VECTOR.secret, opts))).toBe('missing_headers');
  });

  it('reports malformed JSON only for correctly signed bodies', () => {
    const secret = VECTOR.secret;
    for (const body of ['{"a":', '', 'not json', Buffer.from([0x7b, 0xff, 0x7d])]) {
      const headers = webhookHeaders({ id: 'msg_1', timestamp: VECTOR.timestamp, body, secret });
      expect(reasonOf(() => verifyWebhook(body, headers, secret, { now: vectorNow }))).toBe('malformed_json');
    }
  });

  it('reports a bad secret without putting it in the message', () => {
    const secret = 'whsec_%%%definitely-secret%%%';
    let caught: unknown;
    try {
      verifyWebhook(VECTOR.body, vectorHeaders(), secret, { now: vectorNow });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WebhookVerificationError);
    expect((caught as WebhookVerificationError).reason).toBe('bad_secret');
    expect((caught as Error).message).not.toContain('definitely-secret');
  });
});

describe('cross-check with the standardwebhooks package', () => {
  const CASES = 200;

  it('their signatures verify with ours and ours with theirs (random ids, timestamps, bodies, secrets)', () => {
    const rand = seededRandom(20260401);
    const nowMs = Date.now(); // theirs reads the real clock
    for (let i = 0; i < CASES; i++) {
      const secret = i % 2 === 0 ? generateWebhookSecret() : 'whsec_' + Buffer.from(String(rand())).toString('base64');
      const theirs = new Webhook(secret);
      const id = randomId(rand);
      const timestamp = Math.floor(nowMs / 1000) + randomInt(rand, -250, 250);
      const body = randomJsonBody(rand);
      const bodyInput = i % 3 === 0 ? new TextEncoder().encode(body) : body;

      const theirSignature = theirs.sign(id, new Date(timestamp * 1000), bodyInput);
      const ours = signWebhook({ id, timestamp, body: bodyInput, secret });
      expect(ours).toBe(theirSignature);

      const theirHeaders = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': theirSignature };
      expect(verifyWebhook(bodyInput, theirHeaders, secret, { now: () => nowMs }).payload).toEqual(JSON.parse(body));
      expect(theirs.verify(bodyInput, webhookHeaders({ id, timestamp, body: bodyInput, secret }))).toEqual(JSON.parse(body));
    }
  });

  it('both reject the same tampered deliveries', () => {
    const rand = seededRandom(7);
    const nowMs = Date.now();
    for (let i = 0; i < CASES; i++) {
      const secret = generateWebhookSecret();
      const id = randomId(rand);
      const timestamp = Math.floor(nowMs / 1000);
      const body = randomJsonBody(rand);
      const headers = webhookHeaders({ id, timestamp, body, secret });
      const tamperedBody = body.replace(/"status":"?/, (m) => m + 'x');
      expect(tamperedBody).not.toBe(body);
      expect(() => new Webhook(secret).verify(tamperedBody, headers)).toThrow();
      expect(reasonOf(() => verifyWebhook(tamperedBody, headers, secret, { now: () => nowMs }))).toBe('bad_signature');
    }
  });
});
