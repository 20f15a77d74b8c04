// Small, dependency-free text helpers shared by every renderer and the rest of the CLI.
// Keep this module free of chalk/ora/cli-progress imports: index.ts re-exports it on the start-up path.
import type { JobSnapshot } from '../../sdk/types.js';

/** '4s', '1m 05s', '2h 03m'. Negative or non-finite input is shown as '0s'. */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m ${pad2(totalSeconds % 60)}s`;
  return `${Math.floor(totalMinutes / 60)}h ${pad2(totalMinutes % 60)}m`;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** Decimal (SI) units: '512 B', '1.2 MB', '340 MB'. */
export function formatBytes(n: number): string {
  let value = Number.isFinite(n) && n > 0 ? n : 0;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // One decimal while it carries information, then whole numbers ('1.2 MB', '340 MB').
  const text = value < 100 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** UTC wall-clock time `HH:MM:SS` (UTC so CI logs from different machines line up). */
export function clockTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19);
}

/** `running 42% Collecting incidents (84/200 records)` — only the parts that are present. */
export function describeState(snapshot: JobSnapshot): string {
  const parts: string[] = [String(snapshot.status)];
  if (typeof snapshot.progress === 'number' && Number.isFinite(snapshot.progress)) {
    parts.push(`${Math.round(snapshot.progress)}%`);
  }
  if (snapshot.message) parts.push(snapshot.message);
  const counts = describeCounts(snapshot);
  if (counts) parts.push(`(${counts})`);
  return parts.join(' ');
}

/** `84/200 records`, or undefined when the job reports no counts. */
export function describeCounts(snapshot: JobSnapshot): string | undefined {
  const counts = snapshot.counts;
  if (!counts || typeof counts.done !== 'number' || typeof counts.total !== 'number') return undefined;
  return counts.unit ? `${counts.done}/${counts.total} ${counts.unit}` : `${counts.done}/${counts.total}`;
}

/** First 12 hex digits of a digest followed by an ellipsis (ASCII '...' when asked). */
export function shortSha(sha256: string, ascii: boolean): string {
  if (sha256.length <= 12) return sha256;
  return `${sha256.slice(0, 12)}${ascii ? '...' : '…'}`;
}

/** The job's own run time from server timestamps (one clock), when both are known and sane. */
export function serverDurationMs(snapshot: JobSnapshot): number | undefined {
  const start = Date.parse(snapshot.startedAt ?? snapshot.enqueuedAt ?? '');
  const end = Date.parse(snapshot.finishedAt ?? '');
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return undefined;
  return end - start;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
