import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './exit-codes.js';

export const DEFAULT_BASE_URL = 'https://app.qehsethos.com';

/** One profile in the config file. */
export interface Profile {
  baseUrl?: string;
  token?: string;
  webhookSecret?: string;
}

export interface ConfigFile {
  defaultProfile?: string;
  profiles?: Record<string, Profile>;
}

export interface Settings {
  baseUrl: string;
  token?: string;
  webhookSecret?: string;
  profile: string;
  configDir: string;
  /** Where each value came from, for `config` and --verbose (never the value of a secret). */
  sources: Record<'baseUrl' | 'token' | 'webhookSecret', 'flag' | 'env' | 'profile' | 'default' | 'unset'>;
}

export interface SettingFlags {
  baseUrl?: string;
  token?: string;
  profile?: string;
}

export function configDirFrom(env: Record<string, string | undefined>): string {
  if (env.QEHS_CONFIG_DIR) return env.QEHS_CONFIG_DIR;
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(xdg, 'qehs');
}

export async function readConfigFile(configDir: string): Promise<ConfigFile> {
  const path = join(configDir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as ConfigFile;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed;
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`, 'fix or delete the file');
  }
}

/** Precedence: flag > environment > profile in the config file > default. */
export async function resolveSettings(flags: SettingFlags, env: Record<string, string | undefined>): Promise<Settings> {
  const configDir = configDirFrom(env);
  const config = await readConfigFile(configDir);
  const profileName = flags.profile ?? env.QEHS_PROFILE ?? config.defaultProfile ?? 'default';
  const profile = config.profiles?.[profileName];
  if ((flags.profile || env.QEHS_PROFILE) && !profile && profileName !== 'default') {
    throw new UsageError(`Unknown profile "${profileName}" in ${join(configDir, 'config.json')}`, 'run `qehs login --profile NAME` first');
  }
  const pick = (flag: string | undefined, envValue: string | undefined, profileValue: string | undefined) =>
    flag ? { value: flag, source: 'flag' as const }
    : envValue ? { value: envValue, source: 'env' as const }
    : profileValue ? { value: profileValue, source: 'profile' as const }
    : { value: undefined, source: 'unset' as const };
  const baseUrl = pick(flags.baseUrl, env.QEHS_BASE_URL, profile?.baseUrl);
  const token = pick(flags.token, env.QEHS_TOKEN, profile?.token);
  const webhookSecret = pick(undefined, env.QEHS_WEBHOOK_SECRET, profile?.webhookSecret);
  return {
    baseUrl: baseUrl.value ?? DEFAULT_BASE_URL,
    token: token.value,
    webhookSecret: webhookSecret.value,
    profile: profileName,
    configDir,
    sources: {
      baseUrl: baseUrl.value ? baseUrl.source : 'default',
      token: token.source,
      webhookSecret: webhookSecret.source,
    },
  };
}
