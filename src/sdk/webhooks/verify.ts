import { timingSafeEqual } from 'node:crypto';
import { computeSignatureBytes, decodeWebhookSecret } from './sign.js';

export type WebhookVerificationReason =
  | 'missing_headers'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'malformed_json'
  | 'bad_secret';

/** Verification failure. `message` never contains the secret or signature material. */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookVerificationReason;
  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

export interface VerifyWebhookOptions {
  /** Allowed clock skew in either direction, seconds. Default 300. */
  toleranceSec?: number;
  /** Clock, epoch milliseconds. Default Date.now. */
  now?: () => number;
}

export interface VerifiedWebhook {
  id: string;
  timestamp: number;
  payload: unknown;
}

export type WebhookHeaderInput = Record<string, string | string[] | undefined>;

export const DEFAULT_TOLERANCE_SEC = 300;
// Canonical unix seconds only: the signed string must equal what the sender signed.
const TIMESTAMP_RE = /^(0|[1-9][0-9]{0,11})$/;
const MAX_ID_LENGTH = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function findHeader(headers: WebhookHeaderInput, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (Array.isArray(value)) values.push(...value);
    else values.push(value);
  }
  return values;
}

/** A header that must appear exactly once with a non-empty value. */
function singleHeader(headers: WebhookHeaderInput, name: string): string {
  const values = findHeader(headers, name);
  const value = values.length === 1 ? values[0]!.trim() : '';
  if (value === '') throw new WebhookVerificationError('missing_headers', `missing or repeated ${name} header`);
  return value;
}

function toBuffer(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** True when any `v1,<base64>` entry equals the expected signature (constant time per entry). */
function anySignatureMatches(signatureHeaders: string[], expected: Buffer): boolean {
  let matched = false;
  for (const header of signatureHeaders) {
    for (const entry of header.split(' ')) {
      if (!entry.startsWith('v1,')) continue; // other versions (e.g. v1a) are not ours to check
      const given = Buffer.from(entry, 'utf8');
      if (given.length !== expected.length) continue;
      // No early exit: keep the work independent of which entry matched.
      if (timingSafeEqual(given, expected)) matched = true;
    }
  }
  return matched;
}

/**
 * Verify a Standard Webhooks delivery over its raw body bytes and return the parsed payload.
 * Order: headers -> signature -> timestamp window -> JSON, so unsigned requests learn nothing more than "401".
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaderInput,
  secret: string,
  opts: VerifyWebhookOptions = {},
): VerifiedWebhook {
  let key: Buffer;
  try {
    key = decodeWebhookSecret(secret);
  } catch {
    throw new WebhookVerificationError('bad_secret', 'webhook secret is not a valid whsec_ base64 secret');
  }

  const id = singleHeader(headers, 'webhook-id');
  if (id.length > MAX_ID_LENGTH) throw new WebhookVerificationError('missing_headers', 'webhook-id header is too long');
  const timestampText = singleHeader(headers, 'webhook-timestamp');
  if (!TIMESTAMP_RE.test(timestampText)) {
    throw new WebhookVerificationError('missing_headers', 'webhook-timestamp header is not unix seconds');
  }
  const signatureHeaders = findHeader(headers, 'webhook-signature').filter((v) => v.trim() !== '');
  if (signatureHeaders.length === 0) throw new WebhookVerificationError('missing_headers', 'missing webhook-signature header');

  const timestamp = Number(timestampText);
  const body = toBuffer(rawBody);
  const expected = Buffer.from(`v1,${computeSignatureBytes(key, id, timestamp, body).toString('base64')}`, 'utf8');
  if (!anySignatureMatches(signatureHeaders, expected)) {
    throw new WebhookVerificationError('bad_signature', 'no matching webhook signature');
  }

  const toleranceSec = opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const nowSec = Math.floor((opts.now ?? Date.now)() / 1000);
  if (Math.abs(nowSec - timestamp) > toleranceSec) {
    throw new WebhookVerificationError('stale_timestamp', `webhook timestamp is outside the ±${toleranceSec}s tolerance`);
  }

  let payload: unknown;
  try {
    payload = JSON.parse(utf8.decode(body));
  } catch {
    throw new WebhookVerificationError('malformed_json', 'webhook body is not valid UTF-8 JSON');
  }
  return { id, timestamp, payload };
}
