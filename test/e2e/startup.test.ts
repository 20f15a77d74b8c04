import { resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

const TRACER = resolve(import.meta.dirname, '../helpers/trace-imports.mjs');
const HEAVY = ['node_modules/undici/', 'node_modules/cli-progress/', 'node_modules/ora/', 'node_modules/chalk/', 'node_modules/@inquirer/', 'node_modules/fflate/', 'node_modules/csv-parse/', '/dist/sandbox/'];

async function loadedModules(args: string[]): Promise<string[]> {
  const result = await execa('node', ['--import', TRACER, BIN, ...args], { reject: false, env: { NO_COLOR: '1' } });
  expect(result.exitCode).toBe(0);
  const line = String(result.stderr).split('\n').find((l) => l.startsWith('LOADED_MODULES '));
  return JSON.parse(line!.slice('LOADED_MODULES '.length)) as string[];
}

describe('start-up stays cheap', () => {
  it.each([[['--version']], [['--help']], [['export', '--help']], [['jobs', 'watch', '--help']]])('qehs %s loads no heavy module', async (args) => {
    const modules = await loadedModules(args);
    expect(modules.some((m) => m.includes('node_modules/commander/'))).toBe(true); // the tracer works
    expect(modules.filter((m) => HEAVY.some((heavy) => m.includes(heavy)))).toEqual([]);
  });
});
