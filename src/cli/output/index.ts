// Entry of the CLI output layer. Keep the top-level imports free of chalk, ora and cli-progress:
// they are loaded on demand so `qehs --help` starts fast.
import type { Renderer, RendererOptions } from './events.js';
import { withJsonDocument } from './json.js';
import { loadStyle } from './style.js';

export type { LocalFacts, Outcome, ProgressMode, Renderer, RendererOptions, TextSink, UiEvent } from './events.js';
export { formatBytes, formatDuration } from './format.js';
export { jsonDocument } from './json.js';

/**
 * The renderer for one command run. progress 'bar' loads the interactive (cli-progress + ora) renderer;
 * 'plain' and 'none' use the line renderer. --quiet never draws bars. --json adds the stdout document.
 */
export async function createRenderer(opts: RendererOptions): Promise<Renderer> {
  const style = await loadStyle(opts.color);
  let human: Renderer;
  if (opts.progress === 'bar' && !opts.quiet) {
    const { createTtyRenderer } = await import('./tty.js');
    human = createTtyRenderer(opts, style);
  } else {
    const { createPlainRenderer } = await import('./plain.js');
    human = createPlainRenderer(opts, style);
  }
  return opts.json ? withJsonDocument(human, opts.stdout) : human;
}
