import { Command, CommanderError, Option } from 'commander';
import { SDK_VERSION } from '../sdk/version.js';
import { reportError, type ActionHost } from './command-kit.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerFile } from './commands/file.js';
import { registerBundle } from './commands/bundle.js';
import { registerSync } from './commands/sync.js';
import { registerScim } from './commands/scim.js';
import { registerJobs } from './commands/jobs/index.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerWebhooks } from './commands/webhooks/index.js';
import { EXIT, EXIT_CODE_HELP } from './exit-codes.js';
import type { CliIO } from './io.js';

/** Builds the command tree. Command modules are light: heavy libraries load inside their actions. */
export function buildProgram(host: ActionHost): Command {
  const program = new Command('qehs')
    .description('Start, follow and fetch QEHS async jobs: exports, imports, regulatory filings, evidence bundles')
    .version(SDK_VERSION, '-V, --version', 'print the version')
    .option('--base-url <url>', 'API base URL (env QEHS_BASE_URL; default https://app.qehsethos.com)')
    .option('--token <token>', 'API token (prefer env QEHS_TOKEN: flags show up in process lists)')
    .option('--profile <name>', 'profile from the config file (env QEHS_PROFILE)')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('-q, --quiet', 'no human output except errors')
    .option('-v, --verbose', 'trace requests and responses on stderr (token redacted)')
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'plain', 'none']).default('auto'))
    .option('--no-input', 'never prompt; fail with a hint naming the flag to pass instead')
    .option('--no-color', 'disable colour (also NO_COLOR=1)')
    .option('--timeout <duration>', 'stop waiting after this long and exit 124, e.g. 90s, 15m')
    .option('--insecure', 'allow plain http:// to a non-loopback host')
    .configureOutput({
      writeOut: (text) => host.io.stdout.write(text),
      writeErr: (text) => host.io.stderr.write(text),
    })
    .exitOverride()
    .showSuggestionAfterError();
  program.addHelpText(
    'after',
    `
Examples:
  $ qehs export --format csv --wait -o tenant.csv
  $ id=$(qehs export) && qehs jobs watch "$id" --progress plain
  $ qehs jobs cancel job-abc123 --yes
  $ qehs sandbox            # a local API to try everything against

Settings: flag > environment (QEHS_BASE_URL, QEHS_TOKEN, QEHS_PROFILE, QEHS_WEBHOOK_SECRET,
QEHS_CONFIG_DIR) > profile in the config file > default.

${EXIT_CODE_HELP}`,
  );
  registerExport(program, host);
  registerImport(program, host);
  registerFile(program, host);
  registerBundle(program, host);
  registerSync(program, host);
  registerScim(program, host);
  registerJobs(program, host);
  registerWebhooks(program, host);
  registerSandbox(program, host);
  for (const command of program.commands) inheritBehaviour(command, program);
  return program;
}

function inheritBehaviour(command: Command, root: Command): void {
  command.exitOverride().configureOutput(root.configureOutput()).showSuggestionAfterError();
  for (const sub of command.commands) inheritBehaviour(sub, root);
}

/** Runs the CLI and returns its exit code. Never calls process.exit (only bin/qehs.js does). */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const host: ActionHost = { io, setExitCode: (code) => (exitCode = code) };
  const program = buildProgram(host);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    return reportError(io, undefined, error);
  }
}
