import type { JobSnapshot } from '../sdk/types.js';

/** Stable exit codes (design.md); documented in --help and the README. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  cancelled: 3,
  auth: 4,
  notFound: 5,
  unreachable: 6,
  integrity: 7,
  timeout: 124,
  interrupted: 130,
} as const;

export const EXIT_CODE_HELP = `Exit codes:
  0    succeeded
  1    job failed, or an unexpected error
  2    usage error or invalid input (nothing was sent)
  3    job cancelled
  4    not authenticated / not permitted
  5    job or resource not found
  6    API unreachable or failing after retries
  7    integrity failure (checksum, signature)
  124  --timeout elapsed while waiting
  130  interrupted (Ctrl-C)`;

/** A mistake in how the command was called; exit 2, nothing sent. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Ctrl-C / SIGTERM while waiting. */
export class InterruptedError extends Error {
  constructor(readonly signal: string = 'SIGINT') {
    super(`Interrupted (${signal})`);
    this.name = 'InterruptedError';
  }
}

/** The one error -> exit-code table. Matches on class names so this module stays import-free (cheap start-up). */
export function exitCodeForError(error: unknown): number {
  const name = (error as { name?: string } | null)?.name;
  switch (name) {
    case 'UsageError':
    case 'ValidationError':
    case 'InvalidRequestError':
    case 'CommanderError':
      return EXIT.usage;
    case 'AuthenticationError':
      return EXIT.auth;
    case 'NotFoundError':
      return EXIT.notFound;
    case 'ConnectionError':
    case 'RequestTimeoutError':
    case 'ServerError':
    case 'RateLimitError':
    case 'UnexpectedResponseError':
      return EXIT.unreachable;
    case 'IntegrityError':
    case 'WebhookVerificationError':
      return EXIT.integrity;
    case 'DeadlineExceededError':
      return EXIT.timeout;
    case 'InterruptedError':
    case 'AbortedError':
      return EXIT.interrupted;
    case 'JobCancelledError':
      return EXIT.cancelled;
    default:
      return EXIT.failed;
  }
}

export function exitCodeForSnapshot(snapshot: Pick<JobSnapshot, 'status'>): number {
  if (snapshot.status === 'succeeded') return EXIT.ok;
  if (snapshot.status === 'cancelled') return EXIT.cancelled;
  return EXIT.failed;
}
