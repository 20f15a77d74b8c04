import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BundleVerification } from '../../sdk/bundle/verify.js';
import type { BundleOptions, BundleScope } from '../../sdk/operations/bundles.js';
import type { JobSnapshot } from '../../sdk/types.js';
import { action, type ActionHost } from '../command-kit.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { defaultFileName } from '../follow.js';
import { addWaitOptions, startAndMaybeFollow, type WaitFlags } from '../operation.js';
import { formatBytes } from '../output/format.js';

interface CreateFlags extends WaitFlags {
  from?: string;
  to?: string;
  scope?: string;
}

interface VerifyFlags {
  publicKey: string;
}

interface PublicKeyFlags {
  output?: string;
  force?: boolean;
}

/** The verifier unzips in memory; past this a bundle is refused rather than exhausting memory. */
export const MAX_VERIFY_BYTES = 2 * 1024 ** 3;

const FLAG_OF: Record<'from' | 'to' | 'scope', string> = { from: '--from', to: '--to', scope: '--scope' };

export function registerBundle(program: Command, host: ActionHost): void {
  const bundle = program
    .command('bundle')
    .description('Signed evidence bundles for auditors: create one, verify one offline, fetch the signing key');
  bundle.addHelpText(
    'after',
    `
Examples:
  $ qehs bundle create --from 2025-01-01 --to 2025-12-31 --wait -o evidence-2025.zip
  $ qehs bundle public-key -o bundle-key.pem && qehs bundle verify evidence-2025.zip --public-key bundle-key.pem`,
  );

  const create = bundle
    .command('create')
    .description('Start an evidence bundle: the records in a date range, as a signed BagIt ZIP')
    .option('--from <date>', 'first day to include (YYYY-MM-DD, inclusive)')
    .option('--to <date>', 'last day to include (YYYY-MM-DD, inclusive)')
    .option('--scope <list>', 'comma-separated: incidents,inspections,capas,observations,attachments (default: all)');
  addWaitOptions(create);
  create.addHelpText(
    'after',
    `
Examples:
  $ qehs bundle create --from 2025-01-01 --to 2025-06-30 --wait -o h1-2025.zip
  $ id=$(qehs bundle create --scope incidents,capas) && qehs jobs watch "$id" -o evidence.zip`,
  );
  create.action(
    action(host, async (ctx, _args, options) => {
      const flags = options as unknown as CreateFlags;
      const request = await bundleRequest(flags);
      return (await startAndMaybeFollow(ctx, flags, {
        kind: 'bundle',
        start: (client, kickoff) => client.bundles.start(request, kickoff),
        summarize: (snapshot) => summarizeBundle(snapshot, flags.output),
      })).exitCode;
    }),
  );

  bundle
    .command('verify')
    .description('Check an evidence bundle offline: signature, manifests, every file digest (no network, no token)')
    .argument('<zip>', 'the bundle ZIP')
    .requiredOption('--public-key <pem-file>', 'the Ed25519 public key (PEM) the bundle must be signed with')
    .addHelpText(
      'after',
      `
Exits 0 when the bundle is intact, 7 (integrity failure) listing every problem otherwise,
2 when the ZIP or key file cannot be read. --json prints the verification object on stdout.

Examples:
  $ qehs bundle verify evidence-2025.zip --public-key bundle-key.pem
  $ qehs bundle verify evidence-2025.zip --public-key bundle-key.pem --json | jq '.problems'`,
    )
    .action(
      action(host, async (ctx, args, options) => verifyBundle(ctx, args[0]!, (options as unknown as VerifyFlags).publicKey)),
    );

  bundle
    .command('public-key')
    .description("Fetch the platform's evidence-bundle public key (PEM) for `bundle verify`")
    .option('-o, --output <path>', 'write the PEM to a file instead of stdout')
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      `
Examples:
  $ qehs bundle public-key -o bundle-key.pem
  $ qehs bundle public-key | openssl pkey -pubin -noout -text`,
    )
    .action(
      action(host, async (ctx, _args, options) => {
        const flags = options as unknown as PublicKeyFlags;
        const client = await ctx.client();
        const pem = await client.bundles.publicKey({ deadline: ctx.deadline });
        if (!flags.output || flags.output === '-') {
          ctx.io.stdout.write(pem);
          return EXIT.ok;
        }
        const path = resolve(ctx.io.cwd, flags.output);
        try {
          await writeFile(path, pem, { flag: flags.force ? 'w' : 'wx' });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') throw new UsageError(`${flags.output} already exists`, 'pass --force to replace it');
          throw new UsageError(`Cannot write ${flags.output}: ${describeFsError(error)}`);
        }
        ctx.say(`Saved the evidence-bundle public key to ${flags.output}`);
        return EXIT.ok;
      }),
    );
}

/** Flags -> request, checked locally so a bad date never reaches the API (exit 2 naming the flag). */
export async function bundleRequest(flags: Pick<CreateFlags, 'from' | 'to' | 'scope'>): Promise<BundleOptions> {
  // Loaded here, not at start-up: the SDK bundle module pulls in the verifier (fflate, crypto).
  const { checkBundleOptions } = await import('../../sdk/operations/bundles.js');
  const request: BundleOptions = {};
  if (flags.from !== undefined) request.from = flags.from;
  if (flags.to !== undefined) request.to = flags.to;
  if (flags.scope !== undefined) {
    request.scope = [...new Set(flags.scope.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))] as BundleScope[];
  }
  const problem = checkBundleOptions(request);
  if (problem) {
    const hint =
      problem.field === 'scope'
        ? 'e.g. --scope incidents,capas,attachments'
        : problem.message.includes('after')
          ? 'the --from date must not be after the --to date'
          : 'use a calendar date such as 2025-01-31';
    throw new UsageError(`Invalid ${FLAG_OF[problem.field]}: ${problem.message}`, hint);
  }
  return request;
}

/** Human lines after a finished create: what is in the bundle and how to check it. */
export function summarizeBundle(snapshot: JobSnapshot, output: string | undefined): string[] {
  const result = snapshot.result;
  if (snapshot.status !== 'succeeded' || !result) return [];
  const lines: string[] = [];
  const files = typeof result.files === 'number' ? result.files : undefined;
  const bytes = typeof result.payloadBytes === 'number' ? result.payloadBytes : undefined;
  if (files !== undefined && bytes !== undefined) {
    const records = typeof result.records === 'number' ? `, ${result.records} records` : '';
    lines.push(`Evidence bundle: ${files} files, ${formatBytes(bytes)} of payload${records}`);
  }
  const download = result.download;
  if (download) {
    const file = output && output !== '-' ? output : output === '-' ? 'BUNDLE.zip' : defaultFileName(snapshot, download, 'bundle');
    lines.push(`Verify it offline: qehs bundle verify ${shellQuote(file)} --public-key bundle-key.pem`);
    lines.push('  (get the key once with: qehs bundle public-key -o bundle-key.pem)');
  }
  return lines;
}

/** Offline: reads the two files, verifies, reports. Never builds an API client. */
async function verifyBundle(ctx: Context, zipArg: string, keyArg: string): Promise<number> {
  const { toPublicKey } = await import('../../sdk/bundle/format.js');
  const { verifyEvidenceBundle } = await import('../../sdk/bundle/verify.js');
  const keyPem = await readInputFile(ctx, keyArg, 'public key file', 64 * 1024);
  let publicKey;
  try {
    publicKey = toPublicKey(keyPem.toString('utf8'));
  } catch (error) {
    throw new UsageError(`${keyArg} is not a usable public key: ${(error as Error).message}`, 'pass the PEM from `qehs bundle public-key`');
  }
  const zip = await readInputFile(ctx, zipArg, 'bundle', MAX_VERIFY_BYTES);
  const verification = verifyEvidenceBundle(zip, publicKey);
  if (ctx.globals.json) ctx.io.stdout.write(`${JSON.stringify({ file: zipArg, ...verification }, null, 2)}\n`);
  if (verification.ok) {
    for (const line of describeValid(zipArg, verification)) ctx.say(line);
    return EXIT.ok;
  }
  // Problems are the error report: shown even with --quiet.
  const count = verification.problems.length;
  ctx.io.stderr.write(`Bundle ${zipArg} FAILED verification (${count} problem${count === 1 ? '' : 's'}):\n`);
  for (const problem of verification.problems) {
    ctx.io.stderr.write(`  - ${problem.path ?? '(bundle)'}: ${problem.message} [${problem.code}]\n`);
  }
  ctx.io.stderr.write('error: the bundle is not intact or not signed by this key; do not rely on it\n');
  return EXIT.integrity;
}

function describeValid(file: string, verification: BundleVerification): string[] {
  const { summary } = verification;
  return [
    `Bundle ${file} is intact and correctly signed.`,
    `  files:              ${summary.files} payload files, ${formatBytes(summary.payloadBytes)} (${summary.payloadBytes} bytes)`,
    `  manifest timestamp: ${summary.manifestTimestamp ?? '(not stated)'}`,
    `  key id:             ${summary.keyId ?? '(unknown)'}`,
    ...(summary.jobId ? [`  job:                ${summary.jobId}`] : []),
  ];
}

/** Reads a local input file whole; anything unreadable or too large is a usage error naming the file. */
async function readInputFile(ctx: Context, arg: string, what: string, maxBytes: number): Promise<Buffer> {
  const path = resolve(ctx.io.cwd, arg);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`Cannot read the ${what} ${arg}: not a regular file`);
    if (info.size > maxBytes) {
      throw new UsageError(
        `The ${what} ${arg} is ${formatBytes(info.size)}; bundle verify checks files in memory and refuses more than ${formatBytes(maxBytes)}`,
      );
    }
    return await readFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read the ${what} ${arg}: ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (error as Error).message;
}

function shellQuote(text: string): string {
  return /^[\w./@:=+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
