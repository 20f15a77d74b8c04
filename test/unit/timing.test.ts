import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, backoffDelay, clampDelay, parseRetryAfter } from '../../src/sdk/timing.js';

const NOW = Date.UTC(2026, 3, 1, 12, 0, 0);
const bounds = { minMs: 250, maxMs: 600_000 };

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('5', NOW)).toBe(5000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Apr 2026 12:00:07 GMT', NOW)).toBe(7000);
    expect(parseRetryAfter('Wed, 01 Apr 2026 11:59:00 GMT', NOW)).toBe(0);
  });

  it('rejects garbage, negatives, fractions and missing values', () => {
    for (const value of [undefined, null, '', 'soon', '-5', '5.5', '1e3', '0x10', 'Wed, 99 Foo 2026 GMT', '2026-04-01T12:00:07Z']) {
      expect(parseRetryAfter(value as string | undefined, NOW), String(value)).toBeUndefined();
    }
  });
});

describe('clampDelay', () => {
  it('uses the hint inside the bounds', () => {
    expect(clampDelay(5000, 2000, bounds)).toBe(5000);
  });
  it('falls back when the hint is missing or not finite', () => {
    expect(clampDelay(undefined, 2000, bounds)).toBe(2000);
    expect(clampDelay(Number.NaN, 2000, bounds)).toBe(2000);
  });
  it('raises zero to the floor (no hot loop) and caps absurd values below the timer limit', () => {
    expect(clampDelay(0, 2000, bounds)).toBe(250);
    expect(clampDelay(10 ** 12, 2000, bounds)).toBe(600_000);
    expect(clampDelay(10 ** 12, 2000, { minMs: 0, maxMs: Number.MAX_SAFE_INTEGER })).toBe(MAX_TIMER_MS);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt within [base/2, base] and respects the cap', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});
