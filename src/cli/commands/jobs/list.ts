import type { Command } from 'commander';
import type { JobSnapshot } from '../../../sdk/types.js';
import { action, type ActionHost } from '../../command-kit.js';
import { EXIT, UsageError } from '../../exit-codes.js';

export function registerJobsList(jobs: Command, host: ActionHost): void {
  jobs
    .command('list')
    .description('List jobs, newest first (falls back to jobs started from this machine if the server cannot list)')
    .option('--status <status>', 'only jobs in this status: queued, running, succeeded, failed, cancelled')
    .option('--limit <n>', 'at most this many jobs (1-100)', '20')
    .addHelpText('after', `
Examples:
  $ qehs jobs list --status running
  $ qehs jobs list --json | jq -r '.jobs[].jobId'`)
    .action(
      action(host, async (ctx, _args, options) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
          throw new UsageError(`Invalid --limit "${String(options.limit)}"`, 'use a whole number from 1 to 100');
        }
        const status = options.status as string | undefined;
        const client = await ctx.client();
        const page = await client.jobs.list({ status, limit });
        let jobs: JobSnapshot[] = page.jobs;
        let source = 'server';
        if (!page.supported) {
          // Graceful degradation: the server has no list endpoint; show what this machine started.
          source = 'journal';
          const entries = (await (await ctx.journal()).entries()).reverse();
          jobs = entries
            .filter((entry) => !status || entry.status === status)
            .slice(0, limit)
            .map((entry) => ({ jobId: entry.jobId, status: entry.status ?? 'unknown', enqueuedAt: entry.createdAt, type: entry.kind }));
          ctx.say('This server cannot list jobs; showing jobs started from this machine instead.');
        }
        if (ctx.globals.json) {
          ctx.io.stdout.write(`${JSON.stringify({ jobs, nextCursor: page.nextCursor ?? null, local: { source } }, null, 2)}\n`);
          return EXIT.ok;
        }
        if (jobs.length === 0) {
          ctx.say('No jobs found.');
          return EXIT.ok;
        }
        ctx.io.stdout.write(table(jobs));
        return EXIT.ok;
      }),
    );
}

function table(jobs: JobSnapshot[]): string {
  const rows = [
    ['JOB ID', 'TYPE', 'STATUS', 'PROGRESS', 'ENQUEUED'],
    ...jobs.map((job) => [job.jobId, job.type ?? '', job.status, job.progress === undefined ? '' : `${job.progress}%`, job.enqueuedAt ?? '']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}
