#!/usr/bin/env node
// The only place that calls process.exit: main() returns the exit code.
import { main } from '../dist/cli/main.js';
import { processIO } from '../dist/cli/io.js';

let interrupts = 0;
// A command that follows a job subscribes its own handler (detach or cancel, then a clean exit).
// With nobody else listening, or on a second Ctrl-C, stop now.
process.on('SIGINT', () => {
  if (++interrupts > 1 || process.listenerCount('SIGINT') === 1) process.exit(130);
});

const code = await main(process.argv.slice(2), processIO());
// Let stdout drain (e.g. `-o -` piped into another program) before exiting.
if (process.stdout.writableLength > 0) await new Promise((resolve) => process.stdout.once('drain', resolve));
process.exit(code);
