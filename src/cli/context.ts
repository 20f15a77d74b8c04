import type { QehsClient } from '../sdk/client.js';
import { AuthenticationError } from '../sdk/errors.js';
import { parseDuration } from './duration.js';
import { UsageError } from './exit-codes.js';
import type { CliIO } from './io.js';
import { Journal } from './journal.js';
import type { ProgressMode, Renderer } from './output/events.js';
import { resolveSettings, type Settings } from './settings.js';

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  baseUrl?: string;
  token?: string;
  profile?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  progress?: 'auto' | ProgressMode;
  /** false with --no-input */
  input?: boolean;
  /** false with --no-color */
  color?: boolean;
  timeout?: string;
  insecure?: boolean;
}

/**
 * Shared things a command needs, built lazily (like gh's factory): settings, the SDK client (undici is
 * loaded only here), the renderer, prompting, the journal, the clock and the overall deadline.
 */
export class Context {
  private settingsPromise?: Promise<Settings>;
  private clientPromise?: Promise<QehsClient>;
  readonly startedAt: number;
  readonly deadline?: number;

  constructor(
    readonly io: CliIO,
    readonly globals: GlobalOptions,
  ) {
    this.startedAt = this.now();
    this.deadline = globals.timeout === undefined ? undefined : this.startedAt + parseDuration(globals.timeout, '--timeout');
  }

  now(): number {
    return this.io.now ? this.io.now() : Date.now();
  }

  settings(): Promise<Settings> {
    this.settingsPromise ??= resolveSettings({ baseUrl: this.globals.baseUrl, token: this.globals.token, profile: this.globals.profile }, this.io.env);
    return this.settingsPromise;
  }

  /** The SDK client for API commands; no token -> exit 4 with how to get one. */
  client(): Promise<QehsClient> {
    this.clientPromise ??= (async () => {
      const settings = await this.settings();
      if (!settings.token) {
        throw new AuthenticationError('Not authenticated: no API token found (set QEHS_TOKEN, pass --token, or run `qehs login`)', {
          code: 'no_token',
        });
      }
      const { QehsClient } = await import('../sdk/client.js');
      return new QehsClient({
        baseUrl: settings.baseUrl,
        token: settings.token,
        insecure: this.globals.insecure,
        trace: this.globals.verbose ? (line) => this.io.stderr.write(`qehs: ${line}\n`) : undefined,
      });
    })();
    return this.clientPromise;
  }

  colorEnabled(): boolean {
    const env = this.io.env;
    if (this.globals.color === false) return false;
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
    if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
    if (env.TERM === 'dumb') return false;
    return Boolean(this.io.stderr.isTTY);
  }

  progressMode(): ProgressMode {
    const requested = this.globals.progress ?? 'auto';
    if (requested !== 'auto') return requested;
    if (this.globals.quiet) return 'none';
    return this.io.stderr.isTTY && this.io.env.TERM !== 'dumb' ? 'bar' : 'plain';
  }

  async renderer(overrides: { progress?: ProgressMode } = {}): Promise<Renderer> {
    const { createRenderer } = await import('./output/index.js');
    return createRenderer({
      stdout: this.io.stdout,
      stderr: this.io.stderr,
      color: this.colorEnabled(),
      quiet: Boolean(this.globals.quiet),
      json: Boolean(this.globals.json),
      progress: overrides.progress ?? this.progressMode(),
      now: () => this.now(),
    });
  }

  /** Prompts need a human on both ends; CI and --no-input never prompt. */
  canPrompt(): boolean {
    return this.globals.input !== false && Boolean(this.io.stdin.isTTY) && Boolean(this.io.stderr.isTTY);
  }

  /** Asks yes/no; where nobody can answer, fails with the flag to pass instead. */
  async confirm(message: string, flagHint: string): Promise<boolean> {
    if (!this.canPrompt()) {
      throw new UsageError(`${message} needs confirmation, and this run cannot prompt`, `pass ${flagHint} to confirm non-interactively`);
    }
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: false }, { input: this.io.stdin, output: this.io.stderr });
  }

  async journal(): Promise<Journal> {
    return new Journal((await this.settings()).configDir);
  }

  /** Writes a human line to stderr unless --quiet. */
  say(line: string): void {
    if (!this.globals.quiet) this.io.stderr.write(`${line}\n`);
  }
}
