import { stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ImportOptions, ImportRowError } from '../../sdk/operations/imports.js';
import type { JobSnapshot } from '../../sdk/types.js';
import { formatProblems } from '../../sdk/validation/problems.js';
import type { Entity, ImportMode } from '../../sdk/validation/records.js';
import type { RecordFormat } from '../../sdk/validation/source.js';
import { action, renderOutcome, type ActionHost } from '../command-kit.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { checkLocalTarget } from '../follow.js';
import { addWaitOptions, startAndMaybeFollow, type WaitFlags } from '../operation.js';

interface ImportFlags extends WaitFlags {
  entity: Entity;
  mode: ImportMode;
  inputFormat?: RecordFormat;
  dryRun?: boolean;
  errorsOut?: string;
}

// The choices are repeated here so that registering the command does not load the parsers (csv-parse);
// a unit test keeps them equal to the SDK's lists.
export const ENTITY_CHOICES: readonly Entity[] = ['incidents', 'inspections', 'capas', 'observations'];
export const MODE_CHOICES: readonly ImportMode[] = ['create', 'update', 'delete'];
export const FORMAT_CHOICES: readonly RecordFormat[] = ['csv', 'json', 'ndjson'];

/** Problems printed on the terminal; --errors-out gets all that were kept. */
const SHOWN_PROBLEMS = 20;
/** Server-side row errors previewed after the counts. */
const SHOWN_ROW_ERRORS = 5;

export function registerImport(program: Command, host: ActionHost): void {
  const command = program
    .command('import')
    .description('Bulk create, update or delete records from a CSV, JSON array or NDJSON file (validated locally first)')
    .argument('<file>', 'records to import: .csv (header row), .json (array of objects) or .ndjson/.jsonl')
    .addOption(new Option('--entity <entity>', 'kind of records in the file').choices(ENTITY_CHOICES).makeOptionMandatory())
    .addOption(new Option('--mode <mode>', 'what to do with each record').choices(MODE_CHOICES).default('create'))
    .addOption(new Option('--input-format <format>', 'file format (default: from the extension)').choices(FORMAT_CHOICES))
    .option('--dry-run', 'only validate the file locally and print a summary; nothing is sent')
    .option('--errors-out <file>', 'with --wait or --dry-run: write row errors as CSV (line,field,code,message)');
  addWaitOptions(command);
  command.addHelpText(
    'after',
    `
The file is checked locally first: every problem is printed as file:line: column: message and,
if there is any, the command exits 2 without sending anything. The upload streams from disk.
An import is one transaction: a cancelled or failed import changes nothing.
With --wait, the exit code is 0 only when the import succeeded and no row was rejected
(rejected rows: exit 1; see them with --errors-out FILE).

Examples:
  $ qehs import incidents.csv --entity incidents --wait --errors-out rejected.csv
  $ qehs import closed-capas.ndjson --entity capas --mode update --dry-run`,
  );
  command.action(
    action(host, async (ctx, args, options) => runImport(ctx, args[0]!, options as unknown as ImportFlags)),
  );
}

async function runImport(ctx: Context, file: string, flags: ImportFlags): Promise<number> {
  const path = resolve(ctx.io.cwd, file);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`Cannot read ${file}: no such file`, 'check the path');
  if (!info.isFile()) throw new UsageError(`${file} is not a file`, 'name a .csv, .json or .ndjson file');
  const { detectFormat } = await import('../../sdk/validation/source.js');
  const format = flags.inputFormat ?? detectFormat(file);
  if (!format) throw new UsageError(`Cannot tell the format of ${file} from its extension`, 'pass --input-format csv, json or ndjson');
  if (flags.errorsOut !== undefined) await checkErrorsOut(ctx, flags);

  const request: ImportOptions = { path, entity: flags.entity, mode: flags.mode, format };
  // Local validation needs no server and no token (a dry run works offline).
  const { validateRecordFile } = await import('../../sdk/validation/records.js');
  const validation = await validateRecordFile(path, { entity: flags.entity, mode: flags.mode, format, now: new Date(ctx.now()) });
  const facts = { file, entity: flags.entity, mode: flags.mode, format, records: validation.count };

  if (validation.problemCount > 0 || validation.count === 0) {
    if (validation.problemCount > 0) {
      ctx.io.stderr.write(`${formatProblems(file, validation.problems, SHOWN_PROBLEMS, validation.problemCount)}\n`);
      if (flags.errorsOut !== undefined) {
        const rows = validation.problems.map((p) => ({ line: p.line, field: p.field, code: 'invalid', message: p.message }));
        await writeErrorsCsv(ctx, flags, rows, validation.problemCount);
      }
    }
    const message =
      validation.problemCount > 0
        ? `${file}: ${validation.problemCount} problem${validation.problemCount === 1 ? '' : 's'} in ${validation.count} records; nothing was sent`
        : `${file} contains no records; nothing was sent`;
    return renderOutcome(ctx, { exitCode: EXIT.usage, errorCode: 'invalid_input', errorMessage: message, local: { validation: { ...facts, problemCount: validation.problemCount, problems: validation.problems } } });
  }

  if (flags.dryRun) {
    ctx.say(`${file} is valid: ${validation.count} record${validation.count === 1 ? '' : 's'} to ${flags.mode} as ${flags.entity} (${format}). Nothing was sent (--dry-run).`);
    if (flags.errorsOut !== undefined) await writeErrorsCsv(ctx, flags, [], 0);
    return renderOutcome(ctx, { exitCode: EXIT.ok, local: { dryRun: true, valid: true, ...facts } });
  }

  const { exitCode: code, snapshot: final } = await startAndMaybeFollow(ctx, flags, {
    kind: 'import',
    start: (client, kickoff) => client.imports.start(request, kickoff),
    summarize: (snapshot) => summarizeImport(snapshot, file),
  });
  if (!waits(flags) || final?.status !== 'succeeded') return code;

  const { importResultOf } = await import('../../sdk/operations/imports.js');
  const result = importResultOf(final);
  if (!result) return code;
  if (flags.errorsOut !== undefined) await writeErrorsCsv(ctx, flags, result.errors, result.errorCount);
  if (result.failed > 0 && code === EXIT.ok) {
    ctx.io.stderr.write(`${result.failed} row${result.failed === 1 ? ' was' : 's were'} rejected; exit ${EXIT.failed}\n`);
    return EXIT.failed;
  }
  return code;
}

/** Human lines for the end of an import: counts and a preview of rejected rows, or what a rollback means. */
export function summarizeImport(snapshot: JobSnapshot, file: string): string[] {
  if (snapshot.status === 'cancelled') return ['Rolled back: nothing from this import was applied'];
  if (snapshot.status !== 'succeeded') return ['Nothing from this import was applied'];
  const result = snapshot.result ?? {};
  const n = (name: string) => (typeof result[name] === 'number' ? (result[name] as number) : 0);
  const lines = [
    `Imported ${typeof result.entity === 'string' ? result.entity : 'records'}: ${n('created')} created, ${n('updated')} updated, ${n('deleted')} deleted, ${n('failed')} failed`,
  ];
  const errors = Array.isArray(result.errors) ? (result.errors as ImportRowError[]) : [];
  if (errors.length > 0) {
    const problems = errors.map((e) => ({ line: e.line, field: e.field, message: `${e.code}: ${e.message}` }));
    lines.push(...formatProblems(file, problems, SHOWN_ROW_ERRORS, Math.max(n('errorCount'), errors.length)).split('\n'));
  }
  return lines;
}

/** Refuses an existing --errors-out file (without --force) before anything is sent. */
async function checkErrorsOut(ctx: Context, flags: ImportFlags): Promise<void> {
  if (!waits(flags) && !flags.dryRun) {
    throw new UsageError('--errors-out needs --wait (row errors are known only when the import ends) or --dry-run');
  }
  await checkLocalTarget(ctx, flags.errorsOut!, '--errors-out', Boolean(flags.force));
}

/** --webhook implies --wait. */
function waits(flags: ImportFlags): boolean {
  return Boolean(flags.wait || flags.webhook);
}

async function writeErrorsCsv(
  ctx: Context,
  flags: ImportFlags,
  rows: { line?: number; field?: string; code: string; message: string }[],
  total: number,
): Promise<void> {
  const { stringify } = await import('csv-stringify/sync');
  const text = stringify(
    rows.map((r) => [r.line ?? '', r.field ?? '', r.code, r.message]),
    { header: true, columns: ['line', 'field', 'code', 'message'] },
  );
  await writeFile(resolve(ctx.io.cwd, flags.errorsOut!), text, { flag: flags.force ? 'w' : 'wx' });
  const capped = total > rows.length ? ` (the first ${rows.length} of ${total})` : '';
  ctx.say(`Wrote ${rows.length} row error${rows.length === 1 ? '' : 's'}${capped} to ${flags.errorsOut}`);
}
