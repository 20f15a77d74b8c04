// Interactive renderer: ora spinner while queued, cli-progress bars while running / downloading.
// Loaded only through createRenderer() when progress === 'bar', so `qehs --help` never pays for these imports.
import cliProgress from 'cli-progress';
import ora, { type Ora } from 'ora';
import type { JobEvent } from '../../sdk/job-events.js';
import type { JobSnapshot } from '../../sdk/types.js';
import type { Renderer, RendererOptions, TextSink, UiEvent } from './events.js';
import { describeCounts, formatBytes, formatDuration } from './format.js';
import { doneErrorLine, savedMessage, terminalMessage } from './messages.js';
import { describePartProgress, partsOf } from './parts.js';
import { unicodeGlyphs, type Style } from './style.js';

const SHOW_CURSOR = '\u001b[?25h';
const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * ora calls tty.WriteStream methods (cursorTo, moveCursor, clearLine) on its stream; cli-progress uses
 * node:readline helpers that only need write(). This adapter gives any TextSink (process.stderr or a
 * test buffer) that surface by writing the equivalent ANSI sequences.
 */
function ttyStreamFor(sink: TextSink) {
  const write = (chunk: string): boolean => {
    sink.write(chunk);
    return true;
  };
  return {
    isTTY: true as const,
    get columns(): number {
      return sink.columns || 80; // a pty with no size reports 0; ora divides by it
    },
    write,
    cursorTo: (x: number, y?: number): boolean =>
      write(typeof y === 'number' ? `\u001b[${y + 1};${x + 1}H` : `\u001b[${x + 1}G`),
    moveCursor: (dx: number, dy: number): boolean => {
      let codes = '';
      if (dx < 0) codes += `\u001b[${-dx}D`;
      else if (dx > 0) codes += `\u001b[${dx}C`;
      if (dy < 0) codes += `\u001b[${-dy}A`;
      else if (dy > 0) codes += `\u001b[${dy}B`;
      return write(codes);
    },
    clearLine: (dir: number): boolean => write(dir < 0 ? '\u001b[1K' : dir > 0 ? '\u001b[0K' : '\u001b[2K'),
  };
}

type TtyStream = ReturnType<typeof ttyStreamFor>;

/** One row of a multi-bar display. */
export interface BarRow {
  key: string;
  total: number;
  value: number;
  info: string;
}

type Live =
  | { kind: 'spinner'; spinner: Ora }
  | { kind: 'bar'; bar: cliProgress.SingleBar; total: number; value: number; info: string }
  | { kind: 'multi'; multi: cliProgress.MultiBar; bars: Map<string, cliProgress.Bar> };

const BAR_OPTIONS = {
  barsize: 24,
  barCompleteChar: '█',
  barIncompleteChar: '░',
  hideCursor: true,
  clearOnComplete: true, // the final human line replaces the bars
  gracefulExit: false, // close() restores the terminal; no extra SIGINT listeners
  fps: 10,
} as const;

/** The one live line at the bottom of stderr (spinner or bar) and printing of lines above it. */
class LiveArea {
  private live: Live | undefined;
  /** A spinner or bar hid the cursor at some point; close() must show it again. */
  cursorWasHidden = false;

  constructor(
    private readonly stream: TtyStream,
    private readonly style: Style,
  ) {}

  spinner(text: string): void {
    if (this.live?.kind === 'spinner') {
      this.live.spinner.text = text;
      return;
    }
    this.clear();
    const spinner = ora({
      text,
      stream: this.stream as unknown as NodeJS.WritableStream,
      isEnabled: true, // the caller already decided this is an interactive terminal
      discardStdin: false, // leave stdin (and Ctrl-C handling) to the CLI
      hideCursor: true,
      color: false, // colour comes from our own Style, never chalk's global detection
      spinner: { interval: 80, frames: SPINNER_FRAMES.map((f) => this.style.cyan(f)) },
    });
    this.cursorWasHidden = true;
    spinner.start();
    this.live = { kind: 'spinner', spinner };
  }

  /**
   * Show or update the bar. cli-progress redraws on its own 10 fps timer; `immediate` redraws now
   * (job updates arrive seconds apart and should show at once; byte updates arrive per chunk).
   */
  bar(total: number, value: number, info: string, immediate: boolean): void {
    const safeTotal = total > 0 ? total : 1;
    const safeValue = Math.max(0, Math.min(value, safeTotal));
    if (this.live?.kind === 'bar') {
      Object.assign(this.live, { total: safeTotal, value: safeValue, info });
      this.live.bar.setTotal(safeTotal);
      this.live.bar.update(safeValue, { info });
      if (immediate) this.live.bar.render();
      return;
    }
    this.clear();
    const bar = new cliProgress.SingleBar({
      stream: this.stream as unknown as NodeJS.WritableStream,
      format: `${this.style.cyan('{bar}')} {info}`,
      ...BAR_OPTIONS,
    });
    this.cursorWasHidden = true;
    bar.start(safeTotal, safeValue, { info });
    this.live = { kind: 'bar', bar, total: safeTotal, value: safeValue, info };
  }

  /**
   * Show or update several bars at once (cli-progress MultiBar), one per row key, in first-seen order;
   * a row seen for the first time gets a new bar below the others.
   */
  multi(rows: readonly BarRow[], immediate: boolean): void {
    if (this.live?.kind !== 'multi') {
      this.clear();
      const multi = new cliProgress.MultiBar({
        stream: this.stream as unknown as NodeJS.WritableStream,
        format: `${this.style.cyan('{bar}')} {info}`,
        ...BAR_OPTIONS,
        forceRedraw: true, // a line printed above (log) moves the bars down: every bar must be redrawn
      });
      this.live = { kind: 'multi', multi, bars: new Map() };
    }
    const live = this.live;
    for (const row of rows) {
      const total = row.total > 0 ? row.total : 1;
      const value = Math.max(0, Math.min(row.value, total));
      const bar = live.bars.get(row.key);
      if (bar) {
        bar.setTotal(total);
        bar.update(value, { info: row.info });
      } else {
        this.cursorWasHidden = true;
        live.bars.set(row.key, live.multi.create(total, value, { info: row.info }));
      }
    }
    if (immediate) live.multi.update();
  }

  /** Print a finished line above the live line (the live line is redrawn below it). */
  printAbove(text: string): void {
    const live = this.live;
    if (live?.kind === 'spinner') {
      live.spinner.clear();
      this.stream.write(`${text}\n`);
      live.spinner.render();
    } else if (live?.kind === 'multi') {
      live.multi.log(`${text}\n`);
      live.multi.update();
    } else if (live?.kind === 'bar') {
      // cli-progress restores the cursor position saved at start(); stop and restart around the write.
      live.bar.stop();
      this.stream.write(`${text}\n`);
      live.bar.start(live.total, live.value, { info: live.info });
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  clear(): void {
    const live = this.live;
    this.live = undefined;
    if (live?.kind === 'spinner') live.spinner.stop();
    else if (live?.kind === 'bar') live.bar.stop();
    else if (live?.kind === 'multi') live.multi.stop();
  }
}

export function createTtyRenderer(opts: RendererOptions, style: Style): Renderer {
  const stream = ttyStreamFor(opts.stderr);
  const area = new LiveArea(stream, style);
  const glyphs = unicodeGlyphs;

  let kind: string | undefined;
  let watchStartedAt: number | undefined;
  let etaBase: { at: number; progress: number } | undefined;
  let downloadTotal: number | undefined;
  let jobFailureShown = false;
  let doneSeen = false;
  let closed = false;
  const printedMessages = new Set<string>();

  const print = (text: string): void => {
    if (!closed) area.printAbove(text);
  };

  function waitingText(jobId: string): string {
    return `Waiting for ${kind ? `${kind} ` : ''}${jobId}${glyphs.ellipsis}`;
  }

  function etaText(snapshot: JobSnapshot, at: number): string {
    const progress = snapshot.progress;
    if (typeof progress !== 'number' || !etaBase) return glyphs.ellipsis;
    const gained = progress - etaBase.progress;
    const spent = at - etaBase.at;
    if (gained <= 0 || spent <= 0) return glyphs.ellipsis;
    return formatDuration(((100 - progress) * spent) / gained);
  }

  function showJob(snapshot: JobSnapshot, at: number): void {
    if (snapshot.status === 'queued') {
      area.spinner(`${waitingText(snapshot.jobId)} ${style.dim('(queued)')}`);
      return;
    }
    const progress = typeof snapshot.progress === 'number' ? snapshot.progress : undefined;
    if (progress !== undefined && etaBase === undefined) etaBase = { at, progress };
    const parts: string[] = [progress === undefined ? glyphs.ellipsis : `${Math.round(progress)}%`];
    if (snapshot.status !== 'running') parts.push(String(snapshot.status)); // unknown statuses shown as text
    if (snapshot.message) parts.push(snapshot.message);
    const counts = describeCounts(snapshot);
    if (counts) parts.push(`(${counts})`);
    const timing = `${formatDuration(at - (watchStartedAt ?? at))} elapsed · ETA ${etaText(snapshot, at)}`;
    const info = `${parts.join(' ')} ${style.dim(`| ${timing}`)}`;
    const jobParts = partsOf(snapshot);
    if (jobParts.length === 0) {
      area.bar(100, progress ?? 0, info, true);
      return;
    }
    // One bar for the whole job, then one per part (e.g. per table of a sync).
    const width = Math.max(...jobParts.map((p) => p.name.length));
    const rows: BarRow[] = [{ key: '\u0000job', total: 100, value: progress ?? 0, info }];
    for (const part of jobParts) {
      const total = typeof part.total === 'number' && part.total > 0 ? part.total : 1;
      const value = part.phase === 'done' ? total : part.done;
      rows.push({ key: part.name, total, value, info: `${part.name.padEnd(width)} ${describePartProgress(part)}` });
    }
    area.multi(rows, true);
  }

  function onJobEvent(event: JobEvent): void {
    watchStartedAt ??= event.at;
    kind ??= event.snapshot.type;
    switch (event.type) {
      case 'status':
      case 'progress':
      case 'heartbeat':
        // A heartbeat carries the same snapshot; redrawing refreshes elapsed and ETA.
        showJob(event.snapshot, event.at);
        return;
      case 'terminal': {
        area.clear();
        const message = terminalMessage(event.snapshot, kind, event.at - (watchStartedAt ?? event.at), glyphs, style);
        if (opts.quiet && !message.isFailure) return;
        print(message.text);
        if (message.isFailure) jobFailureShown = true;
        return;
      }
    }
  }

  function showDownload(bytes: number, total: number | undefined): void {
    if (total && total > 0) {
      const percent = Math.floor((bytes / total) * 100);
      area.bar(total, bytes, `${percent}% ${formatBytes(bytes)} of ${formatBytes(total)}`, false);
    } else {
      area.spinner(`Downloading${glyphs.ellipsis} ${formatBytes(bytes)}`);
    }
  }

  function handle(event: UiEvent): void {
    if (closed && event.type !== 'done') return;
    switch (event.type) {
      case 'job-started':
        kind = event.kind;
        watchStartedAt ??= event.at;
        if (event.reattached) print(`Re-attached to ${event.jobId} (${event.kind})`);
        area.spinner(waitingText(event.jobId));
        return;
      case 'job':
        onJobEvent(event.event);
        return;
      case 'download-started':
        downloadTotal = event.totalBytes;
        if (event.resumedFromBytes) print(`Resuming download at ${formatBytes(event.resumedFromBytes)}`);
        showDownload(event.resumedFromBytes ?? 0, downloadTotal);
        return;
      case 'download-progress':
        showDownload(event.bytes, event.totalBytes ?? downloadTotal);
        return;
      case 'download-finished':
        area.clear();
        if (!opts.quiet) print(style.green(`${glyphs.ok}${savedMessage(event, glyphs)}`));
        return;
      case 'notice':
        if (opts.quiet) return;
        printedMessages.add(event.message);
        print(event.level === 'warn' ? style.yellow(`warning: ${event.message}`) : event.message);
        return;
      case 'detached':
        area.clear();
        if (!opts.quiet) print(event.hint);
        return;
      case 'done': {
        if (doneSeen) return;
        doneSeen = true;
        area.clear();
        const errorLine = doneErrorLine(event.outcome, jobFailureShown, printedMessages);
        if (errorLine) opts.stderr.write(`${style.red(errorLine)}\n`);
        return;
      }
    }
  }

  return {
    handle,
    close() {
      if (closed) return;
      closed = true;
      area.clear();
      if (area.cursorWasHidden) opts.stderr.write(SHOW_CURSOR);
    },
  };
}
