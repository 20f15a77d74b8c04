import type { JobSnapshot } from './types.js';

/**
 * Typed events yielded by `jobs.stream()`. Times (`at`) are epoch milliseconds from the injected clock.
 * - `status`: the first snapshot seen, or the status string changed.
 * - `progress`: same status, but progress / message / counts changed.
 * - `heartbeat`: nothing changed; emitted at least every `heartbeatMs` while waiting (no extra request).
 * - `terminal`: the job reached succeeded | failed | cancelled; always the last event.
 */
export type JobEvent =
  | { type: 'status'; snapshot: JobSnapshot; previous?: JobSnapshot; at: number }
  | { type: 'progress'; snapshot: JobSnapshot; previous: JobSnapshot; at: number }
  | { type: 'heartbeat'; snapshot: JobSnapshot; at: number; sinceChangeMs: number }
  | { type: 'terminal'; snapshot: JobSnapshot; at: number };
