import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** Thrown when a webhook secret cannot be decoded into a non-empty key. */
export class WebhookSecretError extends Error {
  constructor() {
    // Deliberately never includes the secret itself.
    super('webhook secret is not valid base64 (expected "whsec_<base64>")');
    this.name = 'WebhookSecretError';
  }
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decode a Standard Webhooks secret into its HMAC key.
 * Accepts `whsec_<base64>` or the bare base64 part.
 */
export function decodeWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64_RE.test(encoded)) throw new WebhookSecretError();
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new WebhookSecretError();
  return key;
}

function toBytes(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** Raw HMAC-SHA256 over `"{id}.{timestamp}.{rawBody}"` — the body bytes are used as-is. */
export function computeSignatureBytes(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(toBytes(body)).digest();
}

/** Returns a single `v1,<base64 HMAC-SHA256>` signature entry. */
export function signWebhook(args: { id: string; timestamp: number; body: string | Uint8Array; secret: string }): string {
  const key = decodeWebhookSecret(args.secret);
  return `v1,${computeSignatureBytes(key, args.id, args.timestamp, args.body).toString('base64')}`;
}

// A type alias (not an interface) so it is assignable to Record<string, string> header bags.
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Convenience: the three Standard Webhooks headers for a payload. */
export function webhookHeaders(args: { id: string; timestamp: number; body: string | Uint8Array; secret: string }): WebhookHeaders {
  return {
    'webhook-id': args.id,
    'webhook-timestamp': String(args.timestamp),
    'webhook-signature': signWebhook(args),
  };
}
