import type { Command } from 'commander';
import type { ActionHost } from '../../command-kit.js';
import { registerJobsCancel } from './cancel.js';
import { registerJobsGet } from './get.js';
import { registerJobsList } from './list.js';
import { registerJobsWatch } from './watch.js';

export function registerJobs(program: Command, host: ActionHost): void {
  const jobs = program.command('jobs').description('Look at, follow and cancel jobs');
  registerJobsGet(jobs, host);
  registerJobsWatch(jobs, host);
  registerJobsCancel(jobs, host);
  registerJobsList(jobs, host);
}
