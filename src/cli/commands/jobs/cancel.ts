import type { Command } from 'commander';
import { isTerminalStatus, type JobSnapshot } from '../../../sdk/types.js';
import { action, type ActionHost } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { EXIT, UsageError } from '../../exit-codes.js';
import { describeSnapshot } from '../../snapshot-text.js';

export function registerJobsCancel(jobs: Command, host: ActionHost): void {
  jobs
    .command('cancel')
    .description('Cancel a job in flight (best effort; a finished job is left as it is)')
    .argument('<id>', 'job id')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .addHelpText('after', `
Cancellation is best-effort. Exports keep partial output; bulk imports roll back.
Exits 0 when the job is now cancelled or was already finished (the message says which).

Examples:
  $ qehs jobs cancel job-abc123
  $ qehs jobs cancel job-abc123 --yes --json`)
    .action(
      action(host, async (ctx, [id], options) => {
        const jobId = id!;
        if (!options.yes && !ctx.canPrompt()) {
          // Decided before any request: in CI nothing is sent without --yes.
          throw new UsageError(`Cancelling ${jobId} needs confirmation, and this run cannot prompt`, 'pass --yes to cancel non-interactively');
        }
        const client = await ctx.client();
        const before = await client.jobs.get(jobId, { deadline: ctx.deadline });
        if (isTerminalStatus(before.status)) {
          report(ctx, before, true);
          return EXIT.ok;
        }
        if (!options.yes && !(await ctx.confirm(`Cancel ${before.type ?? 'job'} ${jobId} (${describeSnapshot(before)})?`, '--yes'))) {
          ctx.say('Not cancelled.');
          return EXIT.ok;
        }
        const after = await client.jobs.cancel(jobId);
        report(ctx, after, isTerminalStatus(after.status) && after.status !== 'cancelled');
        return EXIT.ok;
      }),
    );
}

function report(ctx: Context, snapshot: JobSnapshot, alreadyTerminal: boolean): void {
  if (ctx.globals.json) {
    ctx.io.stdout.write(`${JSON.stringify({ ...snapshot, local: { alreadyTerminal } }, null, 2)}\n`);
    return;
  }
  if (alreadyTerminal) {
    ctx.say(`${snapshot.jobId} had already ${snapshot.status === 'cancelled' ? 'been cancelled' : snapshot.status}; nothing to cancel.`);
  } else if (snapshot.status === 'cancelled') {
    const partial = snapshot.result?.partial ? ' Partial output was kept.' : '';
    ctx.say(`Cancelled ${snapshot.jobId}.${partial}`);
  } else {
    ctx.say(`Cancellation requested for ${snapshot.jobId}; it is now ${describeSnapshot(snapshot)}.`);
  }
}
