import { Option, type Command } from 'commander';
import type { ExportFormat } from '../../sdk/types.js';
import { action, type ActionHost } from '../command-kit.js';
import { UsageError } from '../exit-codes.js';
import { addWaitOptions, startAndMaybeFollow, type WaitFlags } from '../operation.js';

interface ExportFlags extends WaitFlags {
  format: ExportFormat;
  attachments?: boolean;
  filter?: string[];
}

export function registerExport(program: Command, host: ActionHost): void {
  const command = program
    .command('export')
    .description('Start a full tenant export (JSON or CSV, optionally with attachments as a ZIP)')
    .addOption(new Option('--format <format>', 'export format').choices(['json', 'csv']).default('json'))
    .option('--attachments', 'include attachments (the result is a ZIP)')
    .option('--filter <key=value...>', 'restrict the export, e.g. --filter site=Zurich --filter since=2026-01-01');
  addWaitOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ qehs export --format csv --wait -o tenant.csv      # follow the job and save the file
  $ id=$(qehs export --format json) && qehs jobs watch "$id"   # start now, follow later`,
  );
  command.action(
    action(host, async (ctx, _args, options) => {
      const flags = options as unknown as ExportFlags;
      const filters = parseFilters(flags.filter);
      return (await startAndMaybeFollow(ctx, flags, {
        kind: 'export',
        start: (client, kickoff) =>
          client.exports.start({ format: flags.format, includeAttachments: Boolean(flags.attachments), filters }, kickoff),
      })).exitCode;
    }),
  );
}

function parseFilters(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  const filters: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`Invalid --filter "${pair}"`, 'use key=value, e.g. --filter site=Zurich');
    filters[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return filters;
}
