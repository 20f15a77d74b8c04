import { MockAgent } from 'undici';
import { HttpClient } from '../../src/sdk/http.js';
import { FakeClock } from './fake-clock.js';

export const ORIGIN = 'https://api.test';

export interface RecordedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  at: number;
}

/** A MockAgent-backed HTTP client with a fake clock; every call is recorded with the fake time. */
export function mockApi(options: { retry?: ConstructorParameters<typeof HttpClient>[0]['retry']; token?: string; trace?: (l: string) => void } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const clock = new FakeClock();
  const calls: RecordedCall[] = [];
  const http = new HttpClient({
    baseUrl: ORIGIN,
    token: options.token ?? 'tok_secret_value',
    dispatcher: agent,
    clock,
    random: () => 1,
    retry: options.retry,
    trace: options.trace,
  });
  const record = (opts: { method: string; path: string; headers?: unknown }) => {
    const headers: Record<string, string> = {};
    const raw = opts.headers as Record<string, string> | string[] | undefined;
    if (Array.isArray(raw)) for (let i = 0; i < raw.length; i += 2) headers[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    else if (raw) for (const [k, v] of Object.entries(raw)) headers[k.toLowerCase()] = String(v);
    calls.push({ method: opts.method, path: opts.path, headers, at: clock.now() });
  };
  return { agent, pool, clock, calls, http, record };
}

export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  data: JSON.stringify(body),
  responseOptions: { headers: { 'content-type': 'application/json', ...headers } },
});
