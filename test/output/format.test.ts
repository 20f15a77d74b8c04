import { describe, it, expect } from 'vitest';
import { formatBytes, formatDuration } from '../../src/cli/output/index.js';
import { clockTime, describeState, shortSha } from '../../src/cli/output/format.js';
import { snap, T0 } from './helpers.js';

describe('formatDuration', () => {
  it('uses seconds, then minutes+seconds, then hours+minutes', () => {
    expect(formatDuration(4_400)).toBe('4s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(2 * 3_600_000 + 3 * 60_000 + 59_000)).toBe('2h 03m');
  });
  it('treats negative or non-finite input as 0s', () => {
    expect(formatDuration(-5)).toBe('0s');
    expect(formatDuration(Number.NaN)).toBe('0s');
  });
});

describe('formatBytes', () => {
  it('uses decimal units with one decimal below 100', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(340_000_000)).toBe('340 MB');
    expect(formatBytes(2_500)).toBe('2.5 kB');
    expect(formatBytes(-1)).toBe('0 B');
  });
});

describe('text helpers', () => {
  it('formats UTC clock time', () => {
    expect(clockTime(T0 + 61_000)).toBe('12:01:01');
  });
  it('describes only the parts present', () => {
    expect(describeState(snap({ status: 'queued' }))).toBe('queued');
    expect(describeState(snap({ progress: 41.6, message: 'Collecting incidents', counts: { done: 84, total: 200, unit: 'records' } }))).toBe(
      'running 42% Collecting incidents (84/200 records)',
    );
  });
  it('shortens digests', () => {
    expect(shortSha('3f2a'.repeat(16), true)).toBe('3f2a3f2a3f2a...');
    expect(shortSha('3f2a'.repeat(16), false)).toBe('3f2a3f2a3f2a…');
  });
});
