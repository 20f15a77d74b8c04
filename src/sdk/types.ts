// Wire contract of the async-jobs API (seed page + design.md). Shared by the SDK, the CLI and the sandbox.

export const TERMINAL_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
/** Known statuses; the SDK tolerates unknown strings (waited on like `running`). */
export type KnownJobStatus = 'queued' | 'running' | TerminalStatus;
export type JobStatus = KnownJobStatus | (string & {});

export type JobType = 'export' | 'import' | 'filing' | 'bundle' | 'sync' | 'scim' | (string & {});

/** `result.download` of jobs that produce a file. */
export interface DownloadInfo {
  url: string;
  sizeBytes: number;
  sha256: string;
  contentType: string;
  expiresAt?: string;
  /** Suggested file name (extension field). */
  fileName?: string;
}

export interface JobError {
  code: string;
  message: string;
  [extra: string]: unknown;
}

export interface JobCounts {
  done: number;
  total: number;
  unit?: string;
}

export interface JobResult {
  download?: DownloadInfo;
  /** true when a cancelled export left partial output. */
  partial?: boolean;
  [extra: string]: unknown;
}

/** Phase of one part of a job (e.g. a table of a warehouse sync); unknown strings are shown as text. */
export type JobPartPhase = 'pending' | 'copying' | 'done' | 'partial' | (string & {});

/**
 * One independently progressing part of a job (extension field `parts`), e.g. a table of a warehouse sync:
 * renderers show one bar or line per part.
 */
export interface JobPart {
  name: string;
  phase: JobPartPhase;
  done: number;
  /** Estimate of the work in this part, when known. */
  total?: number;
  /** Unit of `done` / `total`, e.g. 'rows'. */
  unit?: string;
}

/** The status snapshot returned by GET /jobs/{id}, DELETE /jobs/{id} and webhook deliveries. */
export interface JobSnapshot {
  jobId: string;
  status: JobStatus;
  progress?: number;
  enqueuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  result?: JobResult;
  error?: JobError;
  // Extension fields a client may use when present.
  type?: JobType;
  message?: string;
  counts?: JobCounts;
  /** Per-part progress (e.g. per table of a sync), in a stable order. */
  parts?: JobPart[];
  [extra: string]: unknown;
}

/** Body of the 202 Accepted kick-off response. */
export interface KickoffResponse {
  jobId: string;
  statusUrl: string;
  webhookUrl: string | null;
}

/** GET /jobs list page (extension endpoint). */
export interface JobListPage {
  jobs: JobSnapshot[];
  nextCursor?: string | null;
}

/** RFC 9457 problem details, plus `code`. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [extra: string]: unknown;
}

export type ExportFormat = 'json' | 'csv';

export interface ExportRequest {
  format: ExportFormat;
  includeAttachments?: boolean;
  filters?: Record<string, unknown>;
  webhookUrl?: string | null;
}

export function isTerminalStatus(status: JobStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}
