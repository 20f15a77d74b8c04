// Line-oriented renderer for CI logs and pipes ('plain'), and the silent-progress variant ('none').
// Never writes '\r' or cursor codes; colour codes only if the caller allowed colour.
import type { JobEvent } from '../../sdk/job-events.js';
import type { JobSnapshot } from '../../sdk/types.js';
import type { Renderer, RendererOptions, UiEvent } from './events.js';
import { clockTime, describeState, formatBytes, formatDuration } from './format.js';
import { doneErrorLine, savedMessage, terminalMessage } from './messages.js';
import { describePartProgress, partsOf } from './parts.js';
import { asciiGlyphs, type Style } from './style.js';

/** Progress-only lines closer together than this (event time) are skipped. */
export const PROGRESS_THROTTLE_MS = 2_000;
/** A heartbeat line is printed when nothing was printed for this long (CI kills silent jobs). */
export const HEARTBEAT_LINE_MS = 30_000;
/** Download progress lines at most this often. */
export const DOWNLOAD_LINE_MS = 5_000;

export function createPlainRenderer(opts: RendererOptions, style: Style): Renderer {
  const showProgress = opts.progress === 'plain' && !opts.quiet;
  const glyphs = asciiGlyphs;

  let kind: string | undefined;
  let watchStartedAt: number | undefined;
  let lastLineAt: number | undefined;
  let lastJobLine: string | undefined;
  let lastJobLineAt: number | undefined;
  let lastStatus: string | undefined;
  let lastMessage: string | undefined;
  let lastDownloadLineAt: number | undefined;
  let downloadTotal: number | undefined;
  let jobFailureShown = false;
  let doneSeen = false;
  let closed = false;
  const printedMessages = new Set<string>();
  /** Last phase printed per part name (snapshot `parts`, e.g. the tables of a sync). */
  const partPhases = new Map<string, string>();

  /** Timestamped in 'plain' mode (a log), bare in 'none' mode (a final message). */
  function line(text: string, at: number): void {
    if (closed) return;
    opts.stderr.write(showProgress ? `${clockTime(at)}  ${text}\n` : `${text}\n`);
    lastLineAt = at;
  }

  function progressLine(text: string, at: number): void {
    if (showProgress) line(text, at);
  }

  function noteWatchStart(at: number): void {
    watchStartedAt ??= at;
  }

  function onJobEvent(event: JobEvent): void {
    noteWatchStart(event.at);
    kind ??= event.snapshot.type;
    switch (event.type) {
      case 'status':
      case 'progress':
        onStateChange(event.snapshot, event.at);
        return onParts(event.snapshot, event.at);
      case 'heartbeat':
        onHeartbeat(event.snapshot, event.at);
        return onParts(event.snapshot, event.at);
      case 'terminal':
        return onTerminal(event.snapshot, event.at);
    }
  }

  function onStateChange(snapshot: JobSnapshot, at: number): void {
    const text = `${snapshot.jobId} ${describeState(snapshot)}`;
    if (text === lastJobLine) return; // not a real change
    const statusChanged = snapshot.status !== lastStatus;
    const messageChanged = snapshot.message !== lastMessage;
    const tooSoon = lastJobLineAt !== undefined && at - lastJobLineAt < PROGRESS_THROTTLE_MS;
    if (!statusChanged && !messageChanged && tooSoon) return;
    lastJobLine = text;
    lastJobLineAt = at;
    lastStatus = String(snapshot.status);
    lastMessage = snapshot.message;
    progressLine(text, at);
  }

  /**
   * One line per part whose phase changed (never throttled: these are the real changes). Parts first seen still
   * pending are not announced; the terminal snapshot's parts are left to the command's summary.
   */
  function onParts(snapshot: JobSnapshot, at: number): void {
    for (const part of partsOf(snapshot)) {
      const previous = partPhases.get(part.name);
      if (previous === part.phase || (previous === undefined && part.phase === 'pending')) continue;
      partPhases.set(part.name, part.phase);
      progressLine(`${snapshot.jobId} ${part.name}: ${describePartProgress(part)}`, at);
    }
  }

  function onHeartbeat(snapshot: JobSnapshot, at: number): void {
    if (lastLineAt !== undefined && at - lastLineAt < HEARTBEAT_LINE_MS) return;
    const percent = typeof snapshot.progress === 'number' ? ` ${Math.round(snapshot.progress)}%` : '';
    const elapsed = formatDuration(at - (watchStartedAt ?? at));
    progressLine(`${snapshot.jobId} still ${String(snapshot.status)}${percent} (elapsed ${elapsed})`, at);
  }

  function onTerminal(snapshot: JobSnapshot, at: number): void {
    const message = terminalMessage(snapshot, kind, at - (watchStartedAt ?? at), glyphs, style);
    if (opts.quiet && !message.isFailure) return;
    line(message.text, at);
    if (message.isFailure) jobFailureShown = true;
  }

  function handle(event: UiEvent): void {
    if (closed && event.type !== 'done') return;
    switch (event.type) {
      case 'job-started': {
        kind = event.kind;
        noteWatchStart(event.at);
        progressLine(
          event.reattached ? `re-attached to ${event.jobId} (${event.kind})` : `${event.kind} ${event.jobId} started`,
          event.at,
        );
        return;
      }
      case 'job':
        return onJobEvent(event.event);
      case 'download-started': {
        downloadTotal = event.totalBytes;
        lastDownloadLineAt = event.at;
        const target = event.path === '-' ? 'stdout' : event.path;
        const size = event.totalBytes !== undefined ? ` (${formatBytes(event.totalBytes)})` : '';
        const resume = event.resumedFromBytes ? `, resuming at ${formatBytes(event.resumedFromBytes)}` : '';
        progressLine(`downloading to ${target}${size}${resume}`, event.at);
        return;
      }
      case 'download-progress': {
        if (lastDownloadLineAt !== undefined && event.at - lastDownloadLineAt < DOWNLOAD_LINE_MS) return;
        lastDownloadLineAt = event.at;
        const total = event.totalBytes ?? downloadTotal;
        const ofTotal = total ? ` of ${formatBytes(total)} (${Math.floor((event.bytes / total) * 100)}%)` : '';
        progressLine(`downloaded ${formatBytes(event.bytes)}${ofTotal}`, event.at);
        return;
      }
      case 'download-finished':
        if (!opts.quiet) line(savedMessage(event, glyphs), event.at);
        return;
      case 'notice': {
        if (opts.quiet) return;
        printedMessages.add(event.message);
        line(event.level === 'warn' ? style.yellow(`warning: ${event.message}`) : event.message, event.at);
        return;
      }
      case 'detached':
        if (!opts.quiet) line(event.hint, event.at);
        return;
      case 'done': {
        if (doneSeen) return;
        doneSeen = true;
        const errorLine = doneErrorLine(event.outcome, jobFailureShown, printedMessages);
        // Errors are reported even with --quiet and even after close().
        if (errorLine) opts.stderr.write(`${style.red(errorLine)}\n`);
        return;
      }
    }
  }

  return {
    handle,
    close() {
      closed = true;
    },
  };
}
