import { PassThrough, Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

/** In-memory IO for running main() in-process; `interrupt()` simulates Ctrl-C. */
export function testIO(env: Record<string, string | undefined>, options: { cwd?: string; tty?: boolean } = {}) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (chunks: Buffer[]) =>
    Object.assign(
      new Writable({
        write(chunk, _encoding, callback) {
          chunks.push(Buffer.from(chunk));
          callback();
        },
      }),
      { isTTY: options.tty ?? false, columns: 100 },
    );
  const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
  const io: CliIO = {
    stdin: Object.assign(new PassThrough(), { isTTY: options.tty ?? false }),
    stdout: sink(out),
    stderr: sink(err),
    env,
    cwd: options.cwd ?? process.cwd(),
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  return {
    io,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    interrupt: () => handlers.forEach((h) => h('SIGINT')),
  };
}
