// Shared helpers for the sandbox tests: a tiny fetch wrapper and a controllable clock.
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

/** Calls the sandbox; `path` is relative to the base URL (include /api/v1). Uses the default token unless told. */
export async function call(sb: Sandbox, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? sb.defaultToken : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const payload = typeof body === 'string' || body === undefined ? body : new Uint8Array(body);
  const res = await fetch(sb.url + path, { method, headers, body: payload });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export function kickOffExport(sb: Sandbox, body: Record<string, unknown> = { format: 'csv' }, opts: CallOptions = {}) {
  return call(sb, 'POST', '/api/v1/exports', { ...opts, body });
}

/** A manual clock for deterministic timing. */
export function manualClock(start = Date.UTC(2026, 3, 1, 12, 0, 0)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

/** Starts a sandbox with small exports, quick by default, registering it for cleanup. */
export async function sandbox(opts: SandboxOptions = {}, cleanup?: (fn: () => Promise<void>) => void): Promise<Sandbox> {
  const sb = await startSandbox({ exportRows: 20, ...opts });
  cleanup?.(() => sb.close());
  return sb;
}

/** Resolves once `condition()` holds (checked every few ms); rejects after `timeoutMs`. */
export function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(check, 5);
    };
    check();
  });
}
