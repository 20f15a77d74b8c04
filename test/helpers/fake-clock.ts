import { abortReason, type Clock } from '../../src/sdk/timing.js';

/** A clock whose sleeps advance time instantly and are recorded. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public time = Date.UTC(2026, 3, 1, 12, 0, 0)) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.sleeps.push(ms);
    this.time += ms;
  }
}
