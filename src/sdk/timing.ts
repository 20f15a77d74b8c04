import { AbortedError } from './errors.js';

/** Time source and sleeper; injected so pollers and retries are tested without real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout takes a signed 32-bit delay; longer values fire immediately. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer = setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS));
      function done() {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort() {
        clearTimeout(timer);
        reject(abortReason(signal!));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new AbortedError('The operation was aborted', { cause: reason });
}

export interface RetryAfterBounds {
  minMs: number;
  maxMs: number;
}

/**
 * Parses a Retry-After header (delay-seconds or HTTP-date, RFC 9110 §10.2.3) into milliseconds from `now`.
 * Returns undefined when absent or unparseable, so the caller falls back to its default.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (/^-\d+$/.test(text)) return undefined;
  // An HTTP-date ends in GMT; Date.parse alone accepts far too much (e.g. "5.5" or "1e3").
  if (!/^[A-Za-z]{3,9}, .+ GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Turns a server hint into a safe delay: garbage -> fallback, tiny -> minimum, absurd -> maximum. */
export function clampDelay(hintMs: number | undefined, fallbackMs: number, bounds: RetryAfterBounds): number {
  const raw = hintMs === undefined || !Number.isFinite(hintMs) ? fallbackMs : hintMs;
  return Math.min(Math.max(raw, bounds.minMs), bounds.maxMs, MAX_TIMER_MS);
}

/** Exponential backoff with full jitter: random in [base/2, base] where base = initial * 2^attempt, capped. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(base / 2 + (random() * base) / 2);
}
