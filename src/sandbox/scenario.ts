// The sandbox's behaviour knobs: how jobs end, how fast, and which faults to inject.

export interface FailRequests {
  status: 429 | 503 | 500 | 502;
  count: number;
  retryAfter?: string;
}

export interface Scenario {
  /** 'cancel' = server-side cancellation mid-run (as if support cancelled it). */
  outcome: 'succeed' | 'fail' | 'cancel';
  errorCode: string;
  errorMessage: string;
  /** Time in `queued` before running (scaled by speed). */
  queuedMs: number;
  /** Time running 0 -> 100 (scaled by speed). */
  durationMs: number;
  /** For fail/cancel: the progress at which the job ends. */
  stopAtProgress: number;
  /** Raw Retry-After value on non-terminal snapshots; null omits the header. */
  retryAfter: string | null;
  /** The next `count` API requests answer this problem (with Retry-After when given). */
  failRequests: FailRequests | null;
  /** First GET of a job's download: destroy the socket after N body bytes (once per job). */
  dropDownloadAfterBytes: number | null;
  /** Serve bytes that do not match the advertised sha256. */
  corruptDownload: boolean;
  deliverWebhooks: boolean;
}

export const DEFAULT_SCENARIO: Readonly<Scenario> = Object.freeze({
  outcome: 'succeed',
  errorCode: 'EXPORT_STORAGE_UNAVAILABLE',
  errorMessage: 'The export storage backend is temporarily unavailable.',
  queuedMs: 1500,
  durationMs: 4000,
  stopAtProgress: 60,
  retryAfter: '1',
  failRequests: null,
  dropDownloadAfterBytes: null,
  corruptDownload: false,
  deliverWebhooks: true,
});

export class ScenarioError extends Error {
  constructor(readonly field: string, detail: string) {
    super(detail);
    this.name = 'ScenarioError';
  }
}

const FAIL_STATUSES = [429, 503, 500, 502];

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Checks an untrusted patch (e.g. from POST /_sandbox/scenario); throws ScenarioError naming the bad field. */
export function validateScenarioPatch(patch: unknown): Partial<Scenario> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new ScenarioError('body', 'Scenario must be a JSON object');
  }
  const input = patch as Record<string, unknown>;
  const known = new Set(Object.keys(DEFAULT_SCENARIO));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new ScenarioError(key, `Unknown scenario field "${key}"`);
  }
  const check = (field: string, ok: boolean, expected: string): void => {
    if (field in input && !ok) throw new ScenarioError(field, `"${field}" must be ${expected}`);
  };
  check('outcome', ['succeed', 'fail', 'cancel'].includes(input.outcome as string), "'succeed', 'fail' or 'cancel'");
  check('errorCode', typeof input.errorCode === 'string', 'a string');
  check('errorMessage', typeof input.errorMessage === 'string', 'a string');
  check('queuedMs', isNonNegativeNumber(input.queuedMs), 'a non-negative number');
  check('durationMs', isNonNegativeNumber(input.durationMs), 'a non-negative number');
  check(
    'stopAtProgress',
    isNonNegativeNumber(input.stopAtProgress) && (input.stopAtProgress as number) <= 100,
    'a number between 0 and 100',
  );
  check('retryAfter', input.retryAfter === null || typeof input.retryAfter === 'string', 'a string or null');
  check('dropDownloadAfterBytes', input.dropDownloadAfterBytes === null || isNonNegativeNumber(input.dropDownloadAfterBytes), 'a non-negative number or null');
  check('corruptDownload', typeof input.corruptDownload === 'boolean', 'a boolean');
  check('deliverWebhooks', typeof input.deliverWebhooks === 'boolean', 'a boolean');
  if ('failRequests' in input && input.failRequests !== null) {
    const fail = input.failRequests as Record<string, unknown>;
    const ok =
      typeof fail === 'object' &&
      FAIL_STATUSES.includes(fail.status as number) &&
      isNonNegativeNumber(fail.count) &&
      (fail.retryAfter === undefined || typeof fail.retryAfter === 'string');
    if (!ok) throw new ScenarioError('failRequests', '"failRequests" must be {status: 429|500|502|503, count, retryAfter?} or null');
  }
  return input as Partial<Scenario>;
}

export function mergeScenario(base: Scenario, patch: Partial<Scenario>): Scenario {
  const merged: Scenario = { ...base, ...patch };
  // Copy the nested object so later count-downs never mutate the caller's value.
  merged.failRequests = merged.failRequests ? { ...merged.failRequests } : null;
  return merged;
}
