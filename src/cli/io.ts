import type { Readable, Writable } from 'node:stream';

/**
 * Everything a command touches outside itself. `bin/qehs.js` passes the real process; tests pass buffers,
 * a fixed env and a fake interrupt source.
 */
export interface CliIO {
  stdin: Readable & { isTTY?: boolean };
  /** Data only: ids, JSON documents, downloaded bytes with `-o -`. */
  stdout: Writable & { isTTY?: boolean; columns?: number };
  /** Everything for humans. */
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Subscribes to Ctrl-C / SIGTERM; returns the unsubscribe function. */
  onInterrupt(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  now?: () => number;
}

export function processIO(): CliIO {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      const onSigint = () => handler('SIGINT');
      const onSigterm = () => handler('SIGTERM');
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigterm);
      return () => {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
      };
    },
  };
}
