import type { Command } from 'commander';
import { action, type ActionHost } from '../../command-kit.js';
import { EXIT } from '../../exit-codes.js';
import { formatSnapshot } from '../../snapshot-text.js';

export function registerJobsGet(jobs: Command, host: ActionHost): void {
  jobs
    .command('get')
    .description("Show a job's current status snapshot")
    .argument('<id>', 'job id, e.g. job-abc123')
    .addHelpText('after', `
Examples:
  $ qehs jobs get job-abc123
  $ qehs jobs get job-abc123 --json | jq -r .status`)
    .action(
      action(host, async (ctx, [id]) => {
        const client = await ctx.client();
        const snapshot = await client.jobs.get(id!, { deadline: ctx.deadline });
        ctx.io.stdout.write(ctx.globals.json ? `${JSON.stringify(snapshot, null, 2)}\n` : `${formatSnapshot(snapshot)}\n`);
        return EXIT.ok;
      }),
    );
}
