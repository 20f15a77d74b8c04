// Human sentences shared by the plain and TTY renderers, so both say the same thing.
import type { JobSnapshot } from '../../sdk/types.js';
import type { Outcome, UiEvent } from './events.js';
import { formatBytes, formatDuration, serverDurationMs, shortSha } from './format.js';
import type { Glyphs, Style } from './style.js';

export interface TerminalMessage {
  text: string;
  /** failed / cancelled: shown even with --quiet, and the reason 'done' need not repeat. */
  isFailure: boolean;
}

/** `✔ export job-abc123 succeeded in 12s` / `✖ job-abc123 failed: CODE — message` / `■ job-abc123 cancelled (...)`. */
export function terminalMessage(
  snapshot: JobSnapshot,
  kind: string | undefined,
  localDurationMs: number | undefined,
  glyphs: Glyphs,
  style: Style,
): TerminalMessage {
  const id = snapshot.jobId;
  switch (snapshot.status) {
    case 'succeeded': {
      const durationMs = serverDurationMs(snapshot) ?? localDurationMs;
      const took = durationMs === undefined ? '' : ` in ${formatDuration(durationMs)}`;
      const subject = kind ? `${kind} ${id}` : id;
      return { text: style.green(`${glyphs.ok}${subject} succeeded${took}`), isFailure: false };
    }
    case 'failed': {
      const error = snapshot.error;
      let reason = '';
      if (error?.code && error.message) reason = `: ${error.code} ${glyphs.dash} ${error.message}`;
      else if (error?.code || error?.message) reason = `: ${error.code || error.message}`;
      return { text: style.red(`${glyphs.fail}${id} failed${reason}`), isFailure: true };
    }
    case 'cancelled': {
      const partial = snapshot.result?.partial ? ' (partial output available)' : '';
      return { text: style.yellow(`${glyphs.cancel}${id} cancelled${partial}`), isFailure: true };
    }
    default:
      return { text: `${id} ${String(snapshot.status)}`, isFailure: false };
  }
}

type DownloadFinished = Extract<UiEvent, { type: 'download-finished' }>;

/** `Saved 1.2 MB to ./export.csv (sha256 3f2a…)`, or `Wrote 1.2 MB to stdout (...)` for '-'. */
export function savedMessage(event: DownloadFinished, glyphs: Glyphs): string {
  const digest = event.sha256 ? ` (sha256 ${shortSha(event.sha256, glyphs.ellipsis === '...')})` : '';
  if (event.path === '-') return `Wrote ${formatBytes(event.bytes)} to stdout${digest}`;
  return `Saved ${formatBytes(event.bytes)} to ${event.path}${digest}`;
}

/**
 * The `error: ...` line for 'done', or undefined when there is nothing new to say:
 * a job failure already announced by its terminal line is not repeated.
 */
export function doneErrorLine(outcome: Outcome, jobFailureShown: boolean, alreadyPrinted: ReadonlySet<string>): string | undefined {
  const message = outcome.errorMessage;
  if (!message || alreadyPrinted.has(message)) return undefined;
  const status = outcome.snapshot?.status;
  if (jobFailureShown && (status === 'failed' || status === 'cancelled')) return undefined;
  return `error: ${message}`;
}
