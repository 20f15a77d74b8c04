import { stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { GROUP_ID_PATTERN, scimResultOf, type ScimMemberFailure } from '../../sdk/operations/scim.js';
import type { JobSnapshot } from '../../sdk/types.js';
import { formatProblems } from '../../sdk/validation/problems.js';
import type { RecordFormat } from '../../sdk/validation/source.js';
import { action, type ActionHost } from '../command-kit.js';
import type { Context } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { checkLocalTarget } from '../follow.js';
import { addWaitOptions, startAndMaybeFollow, type WaitFlags } from '../operation.js';

interface ProvisionFlags extends WaitFlags {
  group: string;
  members: string;
  format?: RecordFormat;
  errorsOut?: string;
}

/** Problems printed before "... and N more". */
const PROBLEMS_SHOWN = 20;

export function registerScim(program: Command, host: ActionHost): void {
  const scim = program.command('scim').description('SCIM directory operations: provision large groups');
  scim.addHelpText(
    'after',
    `
Examples:
  $ qehs scim provision --group grp-safety-officers --members members.csv --wait
  $ qehs scim provision --group grp-contractors --members people.ndjson --wait --errors-out failures.csv`,
  );
  const command = scim
    .command('provision')
    .description('Add the members of a file (CSV or NDJSON: userName, emails, externalId) to a group, as one job')
    .requiredOption('--group <id>', 'SCIM group id, e.g. grp-safety-officers')
    .requiredOption('--members <file>', 'members file: CSV with a header, NDJSON, or a JSON array')
    .addOption(new Option('--format <format>', 'format of the members file (default: from its extension)').choices(['csv', 'ndjson', 'json']))
    .option('--errors-out <file>', 'with --wait: write the members that could not be applied (CSV for .csv, else NDJSON)');
  addWaitOptions(command);
  command.addHelpText(
    'after',
    `
The file is checked first: any problem is printed as file:line: field: message, exits 2 and nothing is sent.
Members the tenant refuses (userName taken, blocked email domain) do not fail the job: with --wait it exits 0,
prints a warning with their count, and --errors-out lists them (an existing file needs --force).

Examples:
  $ qehs scim provision --group grp-safety-officers --members members.csv --wait
  $ qehs scim provision --group grp-contractors --members people.ndjson --wait --errors-out failures.csv --json`,
  );
  command.action(action(host, (ctx, _args, options) => provision(ctx, options as unknown as ProvisionFlags)));
}

async function provision(ctx: Context, flags: ProvisionFlags): Promise<number> {
  const groupId = flags.group.trim();
  if (!GROUP_ID_PATTERN.test(groupId)) {
    throw new UsageError(`Invalid --group ${JSON.stringify(flags.group)}: 1-128 letters, digits, _ . : - expected; nothing was sent`, 'e.g. --group grp-safety-officers');
  }
  const waits = Boolean(flags.wait || flags.webhook);
  if (flags.errorsOut !== undefined) {
    if (!waits) throw new UsageError('--errors-out needs --wait: the failures are known only when the job ends', 'add --wait');
    await checkLocalTarget(ctx, flags.errorsOut, '--errors-out', Boolean(flags.force));
  }
  const { detectFormat } = await import('../../sdk/validation/source.js');
  const format = flags.format ?? detectFormat(flags.members);
  if (!format) throw new UsageError(`Cannot tell the format of ${flags.members} from its extension`, 'pass --format csv, --format ndjson or --format json');
  const path = resolve(ctx.io.cwd, flags.members);
  const file = await stat(path).catch(() => undefined);
  if (!file?.isFile()) throw new UsageError(`Cannot read the members file ${flags.members}`, 'check the path passed to --members');

  const { validateScimMembersFile } = await import('../../sdk/validation/scim.js');
  const checked = await validateScimMembersFile(path, format);
  if (checked.problemCount > 0) {
    ctx.io.stderr.write(`${formatProblems(flags.members, checked.problems, PROBLEMS_SHOWN, checked.problemCount)}\n`);
    const n = checked.problemCount;
    throw new UsageError(`${flags.members} has ${n} problem${n === 1 ? '' : 's'}; nothing was sent`, 'fix the lines listed above');
  }
  if (checked.count === 0) throw new UsageError(`${flags.members} lists no members; nothing was sent`, 'add at least one member');

  const { loadScimMembers } = await import('../../sdk/operations/scim.js');
  const members = await loadScimMembers(path, format);
  const { exitCode, snapshot } = await startAndMaybeFollow(ctx, flags, {
    kind: 'scim',
    start: (client, kickoff) => client.scim.provision({ groupId, members }, kickoff),
    summarize: (final) => summarizeScim(final, flags.errorsOut),
  });
  const result = snapshot && scimResultOf(snapshot);
  if (result && flags.errorsOut !== undefined) {
    await writeFailures(resolve(ctx.io.cwd, flags.errorsOut), result.failures, Boolean(flags.force));
    ctx.say(`Wrote ${result.failures.length} failure${result.failures.length === 1 ? '' : 's'} to ${flags.errorsOut}`);
  }
  return exitCode;
}

/** CSV (userName,code,message) for a .csv path, else one JSON object per line. */
export async function writeFailures(path: string, failures: readonly ScimMemberFailure[], force: boolean): Promise<void> {
  let text: string;
  if (/\.csv$/i.test(path)) {
    const { stringify } = await import('csv-stringify/sync');
    text = stringify(failures.map((f) => [f.userName, f.code, f.message]), { header: true, columns: ['userName', 'code', 'message'] });
  } else {
    text = failures.map((f) => `${JSON.stringify({ userName: f.userName, code: f.code, message: f.message })}\n`).join('');
  }
  await writeFile(path, text, { flag: force ? 'w' : 'wx' });
}

/** `Applied 97 of 100 members to grp-x.` plus a warning line when some members were refused. */
export function summarizeScim(snapshot: JobSnapshot, errorsOut?: string): string[] {
  const result = scimResultOf(snapshot);
  if (!result) return [];
  const lines = [`Applied ${result.applied} of ${result.members} members to group ${result.groupId}.`];
  if (result.notProcessed) lines.push(`${result.notProcessed} members were not processed before the job was cancelled.`);
  if (result.failed > 0) {
    const where = errorsOut ? `listed in ${errorsOut}` : 'pass --errors-out FILE to save them';
    const listed = result.failures.length < result.failed ? ` (the first ${result.failures.length} are listed)` : '';
    lines.push(`warning: ${result.failed} member${result.failed === 1 ? '' : 's'} could not be applied${listed}; ${where}`);
    for (const failure of result.failures.slice(0, 5)) lines.push(`  ${failure.userName}: ${failure.code} - ${failure.message}`);
    if (result.failures.length > 5) lines.push(`  ... and ${result.failed - 5} more`);
  }
  return lines;
}
