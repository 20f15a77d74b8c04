import type { Command } from 'commander';
import type { WebhookEvent, WebhookReceiver, WebhookRejection } from '../../../sdk/webhooks/receiver.js';
import { action, type ActionHost } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { EXIT, UsageError } from '../../exit-codes.js';
import { parseListen, requireWebhookSecret } from '../../webhook-wait.js';

interface ListenFlags {
  port?: string;
  host?: string;
  path?: string;
  forwardTo?: string;
}

export function registerWebhooksListen(webhooks: Command, host: ActionHost): void {
  webhooks
    .command('listen')
    .description('Run a local receiver that verifies deliveries, prints each event and optionally forwards it')
    .option('--port <port>', 'port to listen on (default: any free port)')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--path <path>', 'URL path to accept deliveries at (default: an unguessable /webhooks/<token>)')
    .option('--forward-to <url>', 'forward each verified delivery (raw body and webhook-* headers) to this URL')
    .addHelpText('after', `
Needs the signing secret in QEHS_WEBHOOK_SECRET (or the profile). The URL to configure as webhookUrl is
printed on stderr before the first event. With --json each verified event is one JSON line on stdout.

Examples:
  $ qehs webhooks listen --port 8787 --forward-to http://localhost:3000/hooks/qehs
  $ qehs webhooks listen --json | jq -r '.payload.status'`)
    .action(action(host, (ctx, _args, options) => listen(ctx, options as ListenFlags)));
}

async function listen(ctx: Context, flags: ListenFlags): Promise<number> {
  const secret = await requireWebhookSecret(ctx);
  const { port } = parseListen(flags.port ?? '0');
  const forwardTo = flags.forwardTo ? parseForwardUrl(flags.forwardTo) : undefined;
  const path = flags.path ? (flags.path.startsWith('/') ? flags.path : `/${flags.path}`) : undefined;
  const { createWebhookReceiver } = await import('../../../sdk/webhooks/receiver.js');
  const forward = forwardTo ? await forwarder(forwardTo) : undefined;
  const forwarded = new Map<string, string>();
  let receiver: WebhookReceiver;
  try {
    receiver = await createWebhookReceiver({
      secret,
      host: flags.host,
      port,
      path,
      onEvent: forward
        ? async (event) => {
            forwarded.set(event.id, await forward(event));
          }
        : undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`Cannot listen on ${flags.host}:${port} (${code})`, 'choose another --port or --host');
    }
    throw error;
  }
  ctx.io.stderr.write(`Ready. Accepting signed deliveries at ${receiver.url}${forwardTo ? ` (forwarding to ${forwardTo})` : ''}\nPress Ctrl-C to stop.\n`);
  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = async (code: number) => {
      if (finished) return;
      finished = true;
      unsubscribe();
      await receiver.close();
      resolve(code);
    };
    receiver.on('event', (event: WebhookEvent) => reportEvent(ctx, event, forwarded.get(event.id)));
    receiver.on('rejected', (rejection: WebhookRejection) => {
      ctx.io.stderr.write(`${clock(ctx)}  rejected ${rejection.method} ${rejection.path}: ${rejection.status} ${rejection.reason} (${rejection.detail})\n`);
    });
    receiver.on('error', (error: Error) => {
      // Never die silently: say what broke, exit non-zero.
      ctx.io.stderr.write(`error: webhook listener failed: ${error.message}\n`);
      void finish(EXIT.failed);
    });
    const unsubscribe = ctx.io.onInterrupt(() => void finish(EXIT.ok));
  });
}

function reportEvent(ctx: Context, event: WebhookEvent, forwardStatus: string | undefined): void {
  const payload = (event.payload ?? {}) as { jobId?: string; status?: string; type?: string };
  if (ctx.globals.json) {
    ctx.io.stdout.write(`${JSON.stringify({ id: event.id, timestamp: event.timestamp, payload: event.payload, ...(forwardStatus ? { forwarded: forwardStatus } : {}) })}\n`);
  }
  const what = [payload.type, payload.jobId, payload.status].filter(Boolean).join(' ');
  ctx.say(`${clock(ctx)}  ${event.id}  ${what || 'event'}${forwardStatus ? `  -> ${forwardStatus}` : ''}`);
}

function clock(ctx: Context): string {
  return new Date(ctx.now()).toISOString().slice(11, 19);
}

function parseForwardUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    // fall through
  }
  throw new UsageError(`Invalid --forward-to "${value}"`, 'use an absolute http(s) URL, e.g. http://localhost:3000/hooks');
}

/** Forwards the exact signed bytes with their webhook-* headers, so the downstream app can verify them itself. */
async function forwarder(url: string): Promise<(event: WebhookEvent) => Promise<string>> {
  const { request } = await import('undici');
  return async (event) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const value = event.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const response = await request(url, { method: 'POST', headers, body: event.rawBody, headersTimeout: 10_000, bodyTimeout: 10_000 });
      await response.body.dump();
      return `forwarded ${response.statusCode}`;
    } catch (error) {
      return `forward failed: ${(error as Error).message}`;
    }
  };
}
