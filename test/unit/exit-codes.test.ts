import { describe, expect, it } from 'vitest';
import { EXIT, InterruptedError, UsageError, exitCodeForError, exitCodeForSnapshot } from '../../src/cli/exit-codes.js';
import { parseDuration } from '../../src/cli/duration.js';
import * as errors from '../../src/sdk/errors.js';

describe('exit codes', () => {
  it.each([
    [new UsageError('x'), EXIT.usage],
    [new errors.ValidationError('x'), EXIT.usage],
    [new errors.InvalidRequestError('x'), EXIT.usage],
    [new errors.AuthenticationError('x'), EXIT.auth],
    [new errors.NotFoundError('x'), EXIT.notFound],
    [new errors.ConnectionError('x'), EXIT.unreachable],
    [new errors.ServerError('x'), EXIT.unreachable],
    [new errors.RateLimitError('x'), EXIT.unreachable],
    [new errors.RequestTimeoutError('x'), EXIT.unreachable],
    [new errors.IntegrityError('x'), EXIT.integrity],
    [new errors.DeadlineExceededError('x'), EXIT.timeout],
    [new InterruptedError(), EXIT.interrupted],
    [new errors.AbortedError('x'), EXIT.interrupted],
    [new Error('surprise'), EXIT.failed],
  ])('%s -> %i', (error, code) => {
    expect(exitCodeForError(error)).toBe(code);
  });

  it('maps job outcomes', () => {
    expect(exitCodeForSnapshot({ status: 'succeeded' })).toBe(0);
    expect(exitCodeForSnapshot({ status: 'failed' })).toBe(1);
    expect(exitCodeForSnapshot({ status: 'cancelled' })).toBe(3);
  });
});

describe('parseDuration', () => {
  it('reads units and combinations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('45')).toBe(45_000);
  });
  it('rejects garbage and zero with a usage error naming the flag', () => {
    expect(() => parseDuration('soon')).toThrow(/Invalid duration "soon" for --timeout/);
    expect(() => parseDuration('10x')).toThrow(UsageError);
    expect(() => parseDuration('0s')).toThrow(/greater than zero/);
  });
});
