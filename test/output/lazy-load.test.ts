import { describe, it, expect, vi } from 'vitest';
import { options, memorySink } from './helpers.js';

// Record whether the heavy terminal libraries were ever imported by the output layer.
const loaded = vi.hoisted(() => ({ cliProgress: false, ora: false, chalk: false }));
vi.mock('cli-progress', async (importOriginal) => {
  loaded.cliProgress = true;
  return importOriginal();
});
vi.mock('ora', async (importOriginal) => {
  loaded.ora = true;
  return importOriginal();
});
vi.mock('chalk', async (importOriginal) => {
  loaded.chalk = true;
  return importOriginal();
});

describe('lazy loading', () => {
  it('importing the output layer and a plain renderer loads none of cli-progress, ora, chalk', async () => {
    const { createRenderer, formatDuration } = await import('../../src/cli/output/index.js');
    expect(formatDuration(1_000)).toBe('1s');
    const renderer = await createRenderer(options({ progress: 'plain' }));
    renderer.close();
    const quietBar = await createRenderer(options({ progress: 'bar', quiet: true }));
    quietBar.close();
    expect(loaded).toEqual({ cliProgress: false, ora: false, chalk: false });
  });

  it('progress bar loads them on demand', async () => {
    const { createRenderer } = await import('../../src/cli/output/index.js');
    const renderer = await createRenderer(options({ progress: 'bar', color: true, stderr: memorySink(true) }));
    renderer.close();
    expect(loaded).toEqual({ cliProgress: true, ora: true, chalk: true });
  });
});
