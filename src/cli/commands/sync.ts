import type { Command } from 'commander';
import { checkSyncOptions, syncResultOf, SYNC_TABLES, type SyncOptionProblem, type SyncOptions, type SyncTable } from '../../sdk/operations/syncs.js';
import type { JobSnapshot } from '../../sdk/types.js';
import { action, type ActionHost } from '../command-kit.js';
import { UsageError } from '../exit-codes.js';
import { addWaitOptions, startAndMaybeFollow, type WaitFlags } from '../operation.js';

interface SyncFlags extends WaitFlags {
  tables?: string;
  backfillFrom?: string;
}

const FLAG_OF: Record<SyncOptionProblem['field'], string> = {
  warehouse: '<warehouse>',
  tables: '--tables',
  backfillFrom: '--backfill-from',
};

export function registerSync(program: Command, host: ActionHost): void {
  const command = program
    .command('sync')
    .description('Start an initial sync or a backfill of the tenant\'s tables to a warehouse connection, with per-table progress')
    .argument('<warehouse>', 'name of a configured warehouse connection, e.g. snowflake-prod')
    .option('--tables <list>', `comma-separated tables to copy (default: all of ${SYNC_TABLES.join(', ')})`)
    .option('--backfill-from <YYYY-MM-DD>', 'backfill: copy rows dated on or after this day instead of a full initial sync');
  addWaitOptions(command);
  command.addHelpText(
    'after',
    `
Cancelling a sync keeps the tables it completed; the result lists each table as done, partial or pending.
Exits 2 (nothing sent) on an unknown table, a bad date, or a warehouse connection the server does not know.

Examples:
  $ qehs sync snowflake-prod --wait                                  # initial sync, one bar per table
  $ qehs sync bigquery-analytics --tables incidents,capas --backfill-from 2025-01-01 --wait --json`,
  );
  command.action(
    action(host, async (ctx, args, options) => {
      const flags = options as unknown as SyncFlags;
      const request = syncRequest(args[0] ?? '', flags, new Date(ctx.now()));
      return (await startAndMaybeFollow(ctx, flags, {
        kind: 'sync',
        start: (client, kickoff) => client.syncs.start(request, kickoff),
        summarize: summarizeSync,
      })).exitCode;
    }),
  );
}

/** The request from the command line, checked locally: a problem is a UsageError naming the flag. */
export function syncRequest(warehouse: string, flags: SyncFlags, now: Date): SyncOptions {
  const request: SyncOptions = { warehouse: warehouse.trim() };
  if (flags.tables !== undefined) {
    request.tables = flags.tables
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '') as SyncTable[];
  }
  if (flags.backfillFrom !== undefined) request.backfillFrom = flags.backfillFrom.trim();
  const problem = checkSyncOptions(request, now);
  if (problem) {
    const hint = problem.field === 'tables' ? `e.g. --tables incidents,capas` : problem.field === 'backfillFrom' ? 'e.g. --backfill-from 2025-01-01' : 'e.g. qehs sync snowflake-prod';
    throw new UsageError(`Invalid ${FLAG_OF[problem.field]}: ${problem.message}; nothing was sent`, hint);
  }
  return request;
}

/** One line per table: `  incidents   done     1,234 of 1,234 rows`. */
export function summarizeSync(snapshot: JobSnapshot): string[] {
  const result = syncResultOf(snapshot);
  if (!result) return [];
  const width = Math.max(...result.tables.map((t) => t.name.length), 5);
  const lines = result.tables.map(
    (t) => `  ${t.name.padEnd(width)}  ${String(t.phase).padEnd(7)}  ${t.rowsSynced.toLocaleString('en-US')} of ${t.rowEstimate.toLocaleString('en-US')} rows`,
  );
  const partial = result.tables.filter((t) => t.phase === 'partial').map((t) => t.name);
  const head =
    snapshot.status === 'succeeded'
      ? `Synced ${result.rowsSynced.toLocaleString('en-US')} rows in ${result.tables.length} table${result.tables.length === 1 ? '' : 's'} to ${result.warehouse}:`
      : `Tables in ${result.warehouse} after the ${String(snapshot.status)} sync${partial.length ? ` (partial: ${partial.join(', ')})` : ''}:`;
  return [head, ...lines];
}
