import { UsageError } from './exit-codes.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses '90s', '15m', '1h30m', '500ms' or bare seconds ('45') into milliseconds. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw new UsageError(`Invalid duration "${text}" for ${flag}`, 'use e.g. 90s, 15m, 1h30m');
  }
  const ms = parts.reduce((total, [, value, unit]) => total + Number(value) * UNIT_MS[unit!]!, 0);
  if (ms <= 0) throw new UsageError(`${flag} must be greater than zero (got "${text}")`);
  return Math.round(ms);
}
