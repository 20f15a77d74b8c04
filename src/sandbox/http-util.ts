// Small response/request helpers shared by the sandbox routes.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

export type Headers = Record<string, string | number>;

export const PROBLEM_TYPE_BASE = 'https://app.qehsethos.com/problems/';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** RFC 9457 problem details plus `code`. `extra` adds fields such as `field`. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  code: string,
  detail: string,
  headers: Headers = {},
  extra: Record<string, unknown> = {},
): void {
  const body = {
    type: PROBLEM_TYPE_BASE + code,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const mediaType = value.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

export type BodyResult = { ok: true; bytes: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/** Past this much discarded input we stop draining an oversized body and drop the connection. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads a request body up to `limit` bytes. An oversized body is drained (so the client can read
 * our 413 instead of seeing a reset), up to a bound after which the socket is destroyed.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_DRAIN_BYTES) {
      req.socket.destroy();
      resolve({ ok: false, reason: 'too_large' });
      return;
    }
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (received > MAX_DRAIN_BYTES) req.socket.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? { ok: false, reason: 'too_large' } : { ok: true, bytes: Buffer.concat(chunks) }));
    req.on('error', () => resolve({ ok: false, reason: 'aborted' }));
    req.on('close', () => {
      if (!req.complete) resolve({ ok: false, reason: tooLarge ? 'too_large' : 'aborted' });
    });
  });
}

/** Key-order-independent JSON text, used to compare idempotent request bodies. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
