import type { Command } from 'commander';
import { Context, type GlobalOptions } from './context.js';
import { failure } from './follow.js';
import type { CliIO } from './io.js';
import type { Outcome } from './output/events.js';

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
      return await renderOutcome(ctx, outcome);
    } catch {
      // Fall through to the bare report below.
    }
  }
  io.stderr.write(`error: ${outcome.errorMessage}\n`);
  return outcome.exitCode;
}

/** Reports the end of a command that followed no job (a dry run, an early error): one JSON document or human lines. */
export async function renderOutcome(ctx: Context, outcome: Outcome): Promise<number> {
  const renderer = await ctx.renderer({ progress: 'none' });
  try {
    renderer.handle({ type: 'done', outcome });
  } finally {
    renderer.close();
  }
  return outcome.exitCode;
}
