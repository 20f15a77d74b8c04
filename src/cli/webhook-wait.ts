import type { WebhookReceiver } from '../sdk/webhooks/receiver.js';
import type { Context } from './context.js';
import { parseDuration } from './duration.js';
import { UsageError } from './exit-codes.js';

/** Flags of `--wait --webhook` (declared once in addWaitOptions). */
export interface WebhookFlags {
  webhook?: boolean;
  listen?: string;
  webhookUrl?: string;
  fallbackPoll?: string;
}

export interface WebhookWait {
  receiver: WebhookReceiver;
  /** The URL sent as `webhookUrl` (the receiver's own, or a public URL that forwards to it). */
  url: string;
  /** Polling interval floor while waiting for the delivery, so a lost one never hangs the command. */
  fallbackMs: number;
}

export const DEFAULT_WEBHOOK_FALLBACK_MS = 30_000;

/** Parses `host:port` (or `:port`, or just `port`) for --listen. */
export function parseListen(value: string | undefined): { host: string; port: number } {
  if (!value) return { host: '127.0.0.1', port: 0 };
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new UsageError(`Invalid --listen "${value}"`, 'use HOST:PORT, e.g. 127.0.0.1:8787, or just a port');
  return { host: (match[1] || '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

/** The webhook secret from QEHS_WEBHOOK_SECRET or the profile; a missing one is a usage error (nothing sent). */
export async function requireWebhookSecret(ctx: Context): Promise<string> {
  const secret = (await ctx.settings()).webhookSecret;
  if (!secret) {
    throw new UsageError(
      'No webhook secret: webhook deliveries cannot be verified',
      'set QEHS_WEBHOOK_SECRET to your tenant\'s "whsec_..." signing secret (`qehs sandbox` prints the sandbox\'s), or add webhookSecret to your profile',
    );
  }
  return secret;
}

/** Starts the embedded receiver before the kick-off, so its URL can travel as the job's webhookUrl. */
export async function startWebhookWait(ctx: Context, flags: WebhookFlags): Promise<WebhookWait | undefined> {
  if (!flags.webhook) {
    if (flags.listen || flags.webhookUrl) throw new UsageError('--listen and --webhook-url only make sense with --webhook');
    return undefined;
  }
  const secret = await requireWebhookSecret(ctx);
  const { host, port } = parseListen(flags.listen);
  let path: string | undefined;
  if (flags.webhookUrl) {
    try {
      const url = new URL(flags.webhookUrl);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
      path = url.pathname;
    } catch {
      throw new UsageError(`Invalid --webhook-url "${flags.webhookUrl}"`, 'use the absolute http(s) URL that forwards to --listen');
    }
  }
  const fallbackMs = flags.fallbackPoll ? parseDuration(flags.fallbackPoll, '--fallback-poll') : DEFAULT_WEBHOOK_FALLBACK_MS;
  const { createWebhookReceiver } = await import('../sdk/webhooks/receiver.js');
  let receiver: WebhookReceiver;
  try {
    receiver = await createWebhookReceiver({ secret, host, port, path });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`Cannot listen on ${host}:${port} (${code})`, 'choose another --listen address or port');
    }
    throw error;
  }
  return { receiver, url: flags.webhookUrl ?? receiver.url, fallbackMs };
}
