import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/cli/context.js';
import { DEFAULT_BASE_URL, resolveSettings } from '../../src/cli/settings.js';
import { testIO } from '../helpers/test-io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qehs-settings-'));
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      defaultProfile: 'prod',
      profiles: { prod: { baseUrl: 'https://prod.example', token: 'tok_profile' }, staging: { baseUrl: 'https://staging.example' } },
    }),
  );
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('settings precedence: flag > env > profile > default', () => {
  it('uses the default profile from the config file', async () => {
    const s = await resolveSettings({}, { QEHS_CONFIG_DIR: dir });
    expect(s).toMatchObject({ baseUrl: 'https://prod.example', token: 'tok_profile', profile: 'prod' });
    expect(s.sources).toMatchObject({ baseUrl: 'profile', token: 'profile', webhookSecret: 'unset' });
  });

  it('env beats the profile, and a flag beats env', async () => {
    const env = { QEHS_CONFIG_DIR: dir, QEHS_BASE_URL: 'https://env.example', QEHS_TOKEN: 'tok_env' };
    expect(await resolveSettings({}, env)).toMatchObject({ baseUrl: 'https://env.example', token: 'tok_env' });
    expect(await resolveSettings({ baseUrl: 'https://flag.example', token: 'tok_flag' }, env)).toMatchObject({
      baseUrl: 'https://flag.example',
      token: 'tok_flag',
      sources: { baseUrl: 'flag', token: 'flag' },
    });
  });

  it('QEHS_PROFILE / --profile pick another profile; an unknown one is a usage error', async () => {
    expect(await resolveSettings({}, { QEHS_CONFIG_DIR: dir, QEHS_PROFILE: 'staging' })).toMatchObject({ baseUrl: 'https://staging.example', token: undefined });
    await expect(resolveSettings({ profile: 'nope' }, { QEHS_CONFIG_DIR: dir })).rejects.toThrow(/Unknown profile "nope"/);
  });

  it('falls back to the default base URL without any config file', async () => {
    expect(await resolveSettings({}, { QEHS_CONFIG_DIR: join(dir, 'missing') })).toMatchObject({ baseUrl: DEFAULT_BASE_URL, token: undefined });
  });

  it('a broken config file is a usage error naming the file', async () => {
    await writeFile(join(dir, 'config.json'), '{ not json');
    await expect(resolveSettings({}, { QEHS_CONFIG_DIR: dir })).rejects.toThrow(/config\.json is not valid JSON/);
  });
});

describe('colour and progress decisions', () => {
  const ctx = (env: Record<string, string>, tty: boolean, globals = {}) => new Context(testIO(env, { tty }).io, globals);

  it('colour: --no-color > NO_COLOR > FORCE_COLOR > TERM=dumb > TTY', () => {
    expect(ctx({}, true).colorEnabled()).toBe(true);
    expect(ctx({}, false).colorEnabled()).toBe(false);
    expect(ctx({ NO_COLOR: '1' }, true).colorEnabled()).toBe(false);
    expect(ctx({ FORCE_COLOR: '1' }, false).colorEnabled()).toBe(true);
    expect(ctx({ FORCE_COLOR: '0' }, true).colorEnabled()).toBe(false);
    expect(ctx({ TERM: 'dumb' }, true).colorEnabled()).toBe(false);
    expect(ctx({ FORCE_COLOR: '1' }, true, { color: false }).colorEnabled()).toBe(false);
  });

  it('progress auto: bar on a terminal, plain elsewhere and on TERM=dumb, none when quiet; explicit modes win', () => {
    expect(ctx({}, true).progressMode()).toBe('bar');
    expect(ctx({}, false).progressMode()).toBe('plain');
    expect(ctx({ TERM: 'dumb' }, true).progressMode()).toBe('plain');
    expect(ctx({}, true, { quiet: true }).progressMode()).toBe('none');
    expect(ctx({}, false, { progress: 'bar' }).progressMode()).toBe('bar');
  });

  it('prompts only with terminals on both ends and without --no-input', () => {
    expect(ctx({}, true).canPrompt()).toBe(true);
    expect(ctx({}, false).canPrompt()).toBe(false);
    expect(ctx({}, true, { input: false }).canPrompt()).toBe(false);
  });
});
