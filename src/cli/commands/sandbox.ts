import { Option, type Command } from 'commander';
import { action, type ActionHost } from '../command-kit.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

interface SandboxFlags {
  host: string;
  port: string;
  speed: string;
  scenario: 'succeed' | 'fail' | 'cancel' | 'slow';
  errorCode?: string;
  rows?: string;
  webhookSecret?: string;
  demo?: boolean;
}

export function registerSandbox(program: Command, host: ActionHost): void {
  program
    .command('sandbox')
    .description('Run the local sandbox: a real API server on loopback with a simulated tenant')
    .option('--host <host>', 'interface to listen on (loopback only)', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '4010')
    .option('--speed <factor>', 'time multiplier: 2 runs jobs twice as fast', '1')
    .addOption(new Option('--scenario <name>', 'how new jobs end').choices(['succeed', 'fail', 'cancel', 'slow']).default('succeed'))
    .option('--error-code <code>', 'error code of failed jobs (with --scenario fail)')
    .option('--rows <n>', 'records per entity in generated exports')
    .option('--webhook-secret <whsec>', 'secret the sandbox signs webhook deliveries with')
    .option('--demo', 'start the sandbox, run `qehs export --wait` against it, then stop')
    .addHelpText('after', `
The sandbox prints shell exports for its URL and demo token on stdout, so another shell can use it:
  $ qehs sandbox --port 4010 > sandbox.env &   then   $ . ./sandbox.env && qehs export --wait

Examples:
  $ qehs sandbox
  $ qehs sandbox --scenario fail --error-code EXPORT_STORAGE_UNAVAILABLE --speed 4`)
    .action(
      action(host, async (ctx, _args, options) => {
        const flags = options as unknown as SandboxFlags;
        const port = Number(flags.port);
        const speed = Number(flags.speed);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`Invalid --port "${flags.port}"`, 'use 0-65535');
        if (!(speed > 0 && speed <= 1000)) throw new UsageError(`Invalid --speed "${flags.speed}"`, 'use a number above 0, e.g. 0.5 or 4');
        const rows = flags.rows === undefined ? undefined : Number(flags.rows);
        if (rows !== undefined && !(Number.isInteger(rows) && rows >= 0 && rows <= 1_000_000)) {
          throw new UsageError(`Invalid --rows "${flags.rows}"`, 'use a whole number up to 1000000');
        }
        const { startSandbox } = await import('../../sandbox/index.js');
        const scenario =
          flags.scenario === 'slow'
            ? { outcome: 'succeed' as const, queuedMs: 5_000, durationMs: 60_000 }
            : { outcome: flags.scenario, ...(flags.errorCode ? { errorCode: flags.errorCode } : {}) };
        const sandbox = await startSandbox({
          host: flags.host,
          port: flags.demo ? 0 : port,
          speed,
          exportRows: rows,
          scenario,
          webhookSecret: flags.webhookSecret,
        });
        try {
          return flags.demo ? await runDemo(ctx, sandbox.url, sandbox.defaultToken) : await serve(ctx, sandbox);
        } finally {
          await sandbox.close();
        }
      }),
    );
}

async function serve(ctx: Context, sandbox: { url: string; defaultToken: string; webhookSecret: string }): Promise<number> {
  ctx.io.stdout.write(
    `export QEHS_BASE_URL=${sandbox.url}\nexport QEHS_TOKEN=${sandbox.defaultToken}\nexport QEHS_WEBHOOK_SECRET=${sandbox.webhookSecret}\n`,
  );
  ctx.say(`QEHS sandbox listening on ${sandbox.url} (demo tenant "acme"; these are sandbox-only credentials)`);
  ctx.say(`Try: QEHS_BASE_URL=${sandbox.url} QEHS_TOKEN=${sandbox.defaultToken} qehs export --wait`);
  ctx.say(`Evidence-bundle public key: GET ${sandbox.url}/api/v1/evidence-bundles/public-key (or: qehs bundle public-key -o bundle-key.pem)`);
  ctx.say('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    const unsubscribe = ctx.io.onInterrupt(() => {
      unsubscribe();
      resolve();
    });
  });
  ctx.say('Sandbox stopped.');
  return EXIT.ok;
}

/** The demo: the main job (export --wait) against a fresh in-process sandbox, in this terminal. */
async function runDemo(ctx: Context, url: string, token: string): Promise<number> {
  const { main } = await import('../main.js');
  ctx.say(`Started a sandbox at ${url}. Running: qehs export --format csv --wait -o qehs-demo-export.csv --force\n`);
  const env = { ...ctx.io.env, QEHS_BASE_URL: url, QEHS_TOKEN: token, QEHS_PROFILE: undefined };
  return main(['export', '--format', 'csv', '--wait', '-o', 'qehs-demo-export.csv', '--force'], { ...ctx.io, env });
}
