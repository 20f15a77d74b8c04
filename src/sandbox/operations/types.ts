// The contract between the generic job engine and one kind of operation (export, import, filing, ...).
import type { Readable } from 'node:stream';
import type { JobType } from '../../sdk/types.js';

export type Validation<P> = { ok: true; params: P } | { ok: false; field: string; detail: string };

/** What an operation knows about the job it is running. */
export interface OperationJob<P> {
  jobId: string;
  tenant: string;
  params: P;
}

/** Where a job is, as handed to `message()`. `fraction` is 0..1 of the running phase. */
export interface PhaseView {
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  fraction: number;
}

export interface ProducedFile {
  bytes: Uint8Array;
  contentType: string;
  fileName: string;
}

/** The typed `result` payload, plus an optional file the engine stores and links as `result.download`. */
export interface Production {
  result: Record<string, unknown>;
  file?: ProducedFile;
}

/** Returned by `produce` when the work itself fails (e.g. a filing that does not validate): the job ends `failed`. */
export interface ProductionFailure {
  error: { code: string; message: string; [extra: string]: unknown };
}

export interface TerminalView {
  status: 'succeeded' | 'cancelled';
  /** Integer 0..100: how far the job got (100 when succeeded). */
  progress: number;
  finishedAt: Date;
}

/**
 * One operation family. Declared with method syntax so a definition for specific params `P`
 * can be registered in the engine's heterogeneous registry.
 */
export interface OperationDefinition<P> {
  type: JobType;
  /** Kick-off path under /api/v1, e.g. '/exports'. */
  path: string;
  /** Max request body; defaults to the engine's 10 MiB. */
  maxBodyBytes?: number;
  /**
   * Set for operations whose kick-off body is a raw upload (e.g. an import file) instead of JSON: the server
   * streams the body to `accept` and `validate` is not used.
   */
  upload?: UploadAcceptor<P>;
  /** Running time of this job given the scenario's `durationMs` (e.g. proportional to its rows); default: the base. */
  durationMs?(params: P, baseMs: number): number;
  /** Validate the body (without `webhookUrl`, which the engine handles). */
  validate(body: Record<string, unknown>): Validation<P>;
  /** Total work units for `counts`, or undefined for none. */
  totalUnits(job: OperationJob<P>): number | undefined;
  /** Unit name of `counts` (default 'records'). */
  unit?: string;
  /** Extra snapshot fields for this phase (e.g. per-table progress of a sync). */
  extra?(job: OperationJob<P>, phase: PhaseView): Record<string, unknown>;
  /** Human phase text for a snapshot. */
  message(job: OperationJob<P>, phase: PhaseView): string;
  /**
   * Output on success, or on cancel (return undefined when cancelled work leaves nothing,
   * e.g. an import that rolls back). Called once per job. A ProductionFailure turns a would-be
   * success into `failed` with that error.
   */
  produce(job: OperationJob<P>, terminal: TerminalView): Production | ProductionFailure | undefined;
}

/** Accepts a raw upload body. */
export interface UploadAcceptor<P> {
  /** Accepted media types, lower-case, without parameters (e.g. 'text/csv'). */
  contentTypes: readonly string[];
  /**
   * Reads the streamed body (to its end when it is acceptable) and returns the job's params, or what is wrong
   * with the request. `query` holds the kick-off's query parameters except `webhookUrl`.
   */
  accept(body: Readable, request: { query: Record<string, string>; contentType: string; tenant: string }): Promise<Validation<P>>;
}

/** A static document the API serves to any authenticated caller (e.g. the evidence-bundle public key). */
export interface PublishedDocument {
  contentType: string;
  body: string;
}
