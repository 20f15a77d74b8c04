import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { action, type ActionHost } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { parseDuration } from '../../duration.js';
import { EXIT, UsageError } from '../../exit-codes.js';

interface VerifyFlags {
  secretEnv: string;
  header?: string[];
  file?: string;
  tolerance: string;
}

export function registerWebhooksVerify(webhooks: Command, host: ActionHost): void {
  webhooks
    .command('verify')
    .description('Verify one captured delivery: exit 0 if the signature is valid, 7 if not')
    .option('--secret-env <name>', 'environment variable holding the whsec_ secret', 'QEHS_WEBHOOK_SECRET')
    .option('-H, --header <header...>', "a delivery header, 'Name: value' (webhook-id, webhook-timestamp, webhook-signature)")
    .option('--file <path>', 'read the raw body from this file (default: stdin)')
    .option('--tolerance <duration>', 'accepted clock difference of webhook-timestamp', '5m')
    .addHelpText('after', `
The body must be the exact bytes received (not re-serialised JSON).

Examples:
  $ qehs webhooks verify -H "webhook-id: $ID" -H "webhook-timestamp: $TS" -H "webhook-signature: $SIG" < body.json
  $ qehs webhooks verify --secret-env MY_SECRET --file body.json -H @headers.txt`)
    .action(action(host, (ctx, _args, options) => verify(ctx, options as unknown as VerifyFlags)));
}

async function verify(ctx: Context, flags: VerifyFlags): Promise<number> {
  const secret = ctx.io.env[flags.secretEnv];
  if (!secret) throw new UsageError(`$${flags.secretEnv} is not set`, 'export the whsec_ secret in that variable, or name another with --secret-env');
  const headers = await parseHeaders(flags.header ?? []);
  const toleranceSec = Math.round(parseDuration(flags.tolerance, '--tolerance') / 1000);
  const body = flags.file ? await readBodyFile(flags.file) : await readStdin(ctx);
  const { verifyWebhook, WebhookVerificationError } = await import('../../../sdk/webhooks/verify.js');
  try {
    const verified = verifyWebhook(body, headers, secret, { toleranceSec, now: () => ctx.now() });
    if (ctx.globals.json) ctx.io.stdout.write(`${JSON.stringify({ valid: true, id: verified.id, timestamp: verified.timestamp, payload: verified.payload }, null, 2)}\n`);
    ctx.say(`valid: ${verified.id} signed ${new Date(verified.timestamp * 1000).toISOString()}`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    if (error.reason === 'bad_secret') throw new UsageError(`$${flags.secretEnv} is not a valid webhook secret`, 'expected "whsec_<base64>"');
    if (ctx.globals.json) ctx.io.stdout.write(`${JSON.stringify({ valid: false, reason: error.reason, message: error.message }, null, 2)}\n`);
    ctx.io.stderr.write(`invalid: ${error.reason}: ${error.message}\n`);
    return EXIT.integrity;
  }
}

/** 'Name: value' pairs; '@file' reads one header per line (as saved from a capture). */
async function parseHeaders(values: string[]): Promise<Record<string, string>> {
  const lines: string[] = [];
  for (const value of values) {
    if (value.startsWith('@')) lines.push(...(await readBodyFile(value.slice(1))).toString('utf8').split(/\r?\n/).filter((l) => l.trim()));
    else lines.push(value);
  }
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UsageError(`Invalid --header "${line.slice(0, 60)}"`, "use 'Name: value', e.g. -H 'webhook-id: msg_123'");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

async function readBodyFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function readStdin(ctx: Context): Promise<Buffer> {
  if (ctx.io.stdin.isTTY) throw new UsageError('No body: pipe the raw delivery body on stdin or pass --file');
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
