import type { JobSnapshot } from '../sdk/types.js';

/** One-line human summary of a snapshot: "running 42% Collecting incidents (84/200 records)". */
export function describeSnapshot(snapshot: JobSnapshot): string {
  const parts: string[] = [snapshot.status];
  if (typeof snapshot.progress === 'number' && snapshot.status !== 'succeeded') parts.push(`${Math.round(snapshot.progress)}%`);
  if (snapshot.message) parts.push(snapshot.message);
  if (snapshot.counts) parts.push(`(${snapshot.counts.done}/${snapshot.counts.total}${snapshot.counts.unit ? ` ${snapshot.counts.unit}` : ''})`);
  if (snapshot.status === 'failed' && snapshot.error) parts.push(`${snapshot.error.code}: ${snapshot.error.message}`);
  return parts.join(' ');
}

/** Multi-line view for `jobs get`. */
export function formatSnapshot(snapshot: JobSnapshot): string {
  const rows: [string, string | undefined][] = [
    ['Job', snapshot.jobId],
    ['Type', snapshot.type],
    ['Status', describeSnapshot(snapshot)],
    ['Enqueued', snapshot.enqueuedAt],
    ['Started', snapshot.startedAt],
    ['Finished', snapshot.finishedAt],
  ];
  const download = snapshot.result?.download;
  if (download) {
    rows.push([snapshot.result?.partial ? 'Partial file' : 'File', `${download.fileName ?? download.url} (${download.sizeBytes} bytes, sha256 ${download.sha256})`]);
    rows.push(['Expires', download.expiresAt]);
  }
  return rows
    .filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
    .map(([label, value]) => `${`${label}:`.padEnd(14)}${value}`)
    .join('\n');
}
