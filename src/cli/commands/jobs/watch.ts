import type { Command } from 'commander';
import { action, type ActionHost } from '../../command-kit.js';
import { UsageError } from '../../exit-codes.js';
import { checkOutputTarget, followJob } from '../../follow.js';

interface WatchFlags {
  last?: boolean;
  output?: string;
  force?: boolean;
  cancelOnInterrupt?: boolean;
  download?: boolean;
}

export function registerJobsWatch(jobs: Command, host: ActionHost): void {
  jobs
    .command('watch')
    .description('Re-attach to a job: follow it to its end and download its result, like --wait')
    .argument('[id]', 'job id (or use --last)')
    .option('--last', 'the job most recently started from this machine')
    .option('-o, --output <path>', "where to save the result file ('-' for stdout); also fetches a cancelled export's partial output")
    .option('--force', 'replace an existing file at the output path')
    .option('--no-download', 'do not download the result file')
    .option('--cancel-on-interrupt', 'cancel the job on Ctrl-C instead of detaching')
    .addHelpText('after', `
Examples:
  $ qehs jobs watch job-abc123 -o tenant.csv
  $ qehs jobs watch --last --progress plain     # in CI, after a step that started the job`)
    .action(
      action(host, async (ctx, [id], options) => {
        const flags = options as WatchFlags;
        if (id && flags.last) throw new UsageError('Give either a job id or --last, not both');
        const journal = await ctx.journal();
        const entry = flags.last ? await journal.last() : id ? await journal.find(id) : undefined;
        if (flags.last && !entry) throw new UsageError(`No job has been started from this machine yet (journal: ${journal.path})`, 'pass a job id');
        const jobId = id ?? entry?.jobId;
        if (!jobId) throw new UsageError('Which job? Pass a job id or --last', 'e.g. qehs jobs watch job-abc123');
        const output = flags.output ?? entry?.output;
        await checkOutputTarget(ctx, { output, force: Boolean(flags.force) });
        const settings = await ctx.settings();
        // The journaled status URL is only trusted for the API it was recorded against.
        const statusUrl = entry && entry.baseUrl === settings.baseUrl ? entry.statusUrl : undefined;
        const { exitCode } = await followJob(ctx, {
          jobId,
          kind: entry?.kind ?? 'job',
          statusUrl,
          reattached: true,
          output,
          force: Boolean(flags.force),
          cancelOnInterrupt: Boolean(flags.cancelOnInterrupt),
          downloadPartial: flags.output !== undefined,
          download: flags.download,
        });
        return exitCode;
      }),
    );
}
