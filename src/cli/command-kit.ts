import type { Command } from 'commander';
import { Context, type GlobalOptions } from './context.js';
import { EXIT, UsageError, exitCodeForError } from './exit-codes.js';
import { failure } from './follow.js';
import type { CliIO } from './io.js';

export type Handler = (ctx: Context, args: string[], options: Record<string, unknown>) => Promise<number>;

/** Where actions report their exit code (main reads it after parsing). */
export interface ActionHost {
  io: CliIO;
  setExitCode(code: number): void;
}

/** Wraps a command handler: builds its Context, reports any error once through the renderer. */
export function action(host: ActionHost, handler: Handler) {
  return async (...received: unknown[]) => {
    const command = received.at(-1) as Command;
    let ctx: Context | undefined;
    try {
      ctx = new Context(host.io, command.optsWithGlobals() as GlobalOptions);
      host.setExitCode(await handler(ctx, command.args, command.opts()));
    } catch (error) {
      host.setExitCode(await reportError(host.io, ctx, error));
    }
  };
}

/** One error report: a JSON document with --json, else `error: ...` on stderr. Secrets never reach it. */
export async function reportError(io: CliIO, ctx: Context | undefined, error: unknown): Promise<number> {
  const outcome = failure(error, undefined, {});
  if (ctx) {
    try {
      const renderer = await ctx.renderer({ progress: 'none' });
      renderer.handle({ type: 'done', outcome });
      renderer.close();
      return outcome.exitCode;
    } catch {
      // Fall through to the bare report below.
    }
  }
  io.stderr.write(`error: ${outcome.errorMessage}\n`);
  return outcome.exitCode ?? EXIT.failed;
}

export function requireChoice<T extends string>(value: string, choices: readonly T[], flag: string): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`Invalid value "${value}" for ${flag}`, `expected one of: ${choices.join(', ')}`);
  }
  return value as T;
}

export { exitCodeForError };
