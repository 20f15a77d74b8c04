// The --json document: exactly one JSON value on stdout, written at 'done'.
import type { Outcome, Renderer, TextSink, UiEvent } from './events.js';

/** Final snapshot fields at top level plus `local`; without a snapshot, the command's own error. */
export function jsonDocument(outcome: Outcome): Record<string, unknown> {
  if (outcome.snapshot) return { ...outcome.snapshot, local: outcome.local };
  const failed = outcome.exitCode !== 0 || outcome.errorCode !== undefined || outcome.errorMessage !== undefined;
  if (!failed) return { exitCode: outcome.exitCode, local: outcome.local };
  return {
    error: { code: outcome.errorCode ?? 'error', message: outcome.errorMessage ?? 'command failed' },
    exitCode: outcome.exitCode,
    local: outcome.local,
  };
}

/** Wraps a human renderer (which keeps writing to stderr) and adds the stdout document. */
export function withJsonDocument(human: Renderer, stdout: TextSink): Renderer {
  let written = false;
  return {
    handle(event: UiEvent) {
      human.handle(event);
      if (event.type === 'done' && !written) {
        written = true;
        stdout.write(`${JSON.stringify(jsonDocument(event.outcome), null, 2)}\n`);
      }
    },
    close() {
      human.close();
    },
  };
}
