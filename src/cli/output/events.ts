import type { JobEvent } from '../../sdk/job-events.js';
import type { JobSnapshot } from '../../sdk/types.js';

/** What happened locally, reported under `local` in the --json document. */
export interface LocalFacts {
  /** Set when a result file was written (path is '-' for stdout). */
  output?: { path: string; bytes: number; sha256: string };
  /** true when the command detached from a still-running job (Ctrl-C). */
  detached?: boolean;
  /** Anything else a command wants machine-readable (e.g. counts of a dry run). */
  [extra: string]: unknown;
}

/** The end of a command that followed (or looked at) a job. */
export interface Outcome {
  snapshot?: JobSnapshot;
  local: LocalFacts;
  exitCode: number;
  /** Human summary of why it ended badly (already redacted). */
  errorMessage?: string;
  /** Stable machine code when the command itself failed (e.g. 'not_found', 'integrity'). */
  errorCode?: string;
}

/** Every renderer (TTY, plain, JSON) consumes this same sequence of events. */
export type UiEvent =
  | { type: 'job-started'; jobId: string; kind: string; statusUrl?: string; reattached?: boolean; at: number }
  | { type: 'job'; event: JobEvent }
  | { type: 'download-started'; path: string; totalBytes?: number; resumedFromBytes?: number; at: number }
  | { type: 'download-progress'; bytes: number; totalBytes?: number; at: number }
  | { type: 'download-finished'; path: string; bytes: number; sha256: string; at: number }
  | { type: 'notice'; level: 'info' | 'warn'; message: string; at: number }
  | { type: 'detached'; jobId: string; hint: string; at: number }
  | { type: 'done'; outcome: Outcome };

/** A place to write text (process.stdout / stderr, or an in-memory buffer in tests). */
export interface TextSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type ProgressMode = 'bar' | 'plain' | 'none';

export interface RendererOptions {
  stdout: TextSink;
  stderr: TextSink;
  /** Colour allowed (NO_COLOR / FORCE_COLOR / TERM=dumb / --no-color already resolved). */
  color: boolean;
  /** --quiet: only errors reach stderr. */
  quiet: boolean;
  /** --json: exactly one JSON document on stdout at 'done'. Human output still follows `progress`. */
  json: boolean;
  progress: ProgressMode;
  /** Epoch ms; injected so output is deterministic in tests. */
  now: () => number;
}

export interface Renderer {
  handle(event: UiEvent): void;
  /** Stop bars/spinners and restore the terminal (idempotent; safe on Ctrl-C). */
  close(): void;
}
