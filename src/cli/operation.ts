import type { Command } from 'commander';
import type { JobSnapshot } from '../sdk/types.js';
import type { QehsClient } from '../sdk/client.js';
import type { KickoffOptions, StartedJob } from '../sdk/operations/kickoff.js';
import type { Context } from './context.js';
import { EXIT } from './exit-codes.js';
import { checkOutputTarget, followJob, type FollowResult } from './follow.js';
import { startWebhookWait, type WebhookFlags, type WebhookWait } from './webhook-wait.js';

/** Flags every operation command shares (export, import, file, bundle, sync, scim). */
export interface WaitFlags extends WebhookFlags {
  wait?: boolean;
  output?: string;
  force?: boolean;
  cancelOnInterrupt?: boolean;
  idempotencyKey?: string;
  /** false with --no-download */
  download?: boolean;
}

export function addWaitOptions(command: Command): Command {
  return command
    .option('--wait', 'follow the job to its end, download its result, exit with its outcome')
    .option('-o, --output <path>', "where to save the result file ('-' for stdout); default: the server's file name")
    .option('--force', 'replace an existing file at the output path')
    .option('--no-download', 'with --wait: do not download the result file')
    .option('--cancel-on-interrupt', 'with --wait: cancel the job on Ctrl-C instead of detaching')
    .option('--idempotency-key <key>', 'reuse a key so a repeated run returns the same job instead of starting another')
    .option('--webhook', 'wait for the signed completion webhook on an embedded listener (implies --wait; polls slowly as a fallback)')
    .option('--listen <host:port>', 'with --webhook: where the embedded listener binds (default 127.0.0.1, any free port)')
    .option('--webhook-url <url>', 'with --webhook: public URL (e.g. a tunnel) that forwards to --listen; sent as the job\'s webhookUrl')
    .option('--fallback-poll <duration>', 'with --webhook: poll at most this often in case a delivery is lost (default 30s)');
}

export interface OperationSpec {
  kind: string;
  /** Kick the job off; pass `kickoff` through to the SDK unchanged (it carries the idempotency key, deadline, webhook URL). */
  start(client: QehsClient, kickoff: KickoffOptions): Promise<StartedJob>;
  /** Human lines describing a finished job's result (counts, receipt, ...), shown after the outcome line. */
  summarize?(snapshot: JobSnapshot): string[];
}

/**
 * The shared kick-off path: check the output target first (nothing is sent if the file could not land),
 * start the job with an idempotency key, journal it, then print the id or follow the job.
 */
export async function startAndMaybeFollow(ctx: Context, flags: WaitFlags, spec: OperationSpec): Promise<FollowResult> {
  const wait = flags.wait || flags.webhook;
  if (wait) await checkOutputTarget(ctx, { output: flags.output, force: Boolean(flags.force) });
  const client = await ctx.client();
  const webhook = await startWebhookWait(ctx, flags);
  try {
    return await kickOffAndFollow(ctx, client, flags, spec, webhook);
  } finally {
    await webhook?.receiver.close();
  }
}

async function kickOffAndFollow(
  ctx: Context,
  client: QehsClient,
  flags: WaitFlags,
  spec: OperationSpec,
  webhook: WebhookWait | undefined,
): Promise<FollowResult> {
  const job = await spec.start(client, { idempotencyKey: flags.idempotencyKey, deadline: ctx.deadline, webhookUrl: webhook?.url });
  const settings = await ctx.settings();
  const journal = await ctx.journal();
  await journal
    .record({
      jobId: job.jobId,
      kind: spec.kind,
      statusUrl: job.statusUrl,
      baseUrl: settings.baseUrl,
      output: flags.output && flags.output !== '-' ? flags.output : undefined,
      idempotencyKey: job.idempotencyKey,
      createdAt: new Date(ctx.now()).toISOString(),
    })
    .catch((error: Error) => ctx.say(`warning: could not record the job in ${journal.path}: ${error.message}`));
  if (!flags.wait && !webhook) {
    if (ctx.globals.json) ctx.io.stdout.write(`${JSON.stringify({ jobId: job.jobId, statusUrl: job.statusUrl, webhookUrl: job.webhookUrl }, null, 2)}\n`);
    else ctx.io.stdout.write(`${job.jobId}\n`);
    ctx.say(`Started ${spec.kind} job ${job.jobId}. Follow it with: qehs jobs watch ${job.jobId}`);
    return { exitCode: EXIT.ok };
  }
  return followJob(ctx, {
    jobId: job.jobId,
    kind: spec.kind,
    statusUrl: job.statusUrl,
    output: flags.output,
    force: Boolean(flags.force),
    cancelOnInterrupt: Boolean(flags.cancelOnInterrupt),
    download: flags.download,
    summarize: spec.summarize,
    webhook,
  });
}
