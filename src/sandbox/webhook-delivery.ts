// Standard Webhooks delivery of terminal snapshots, with exponential-backoff retries.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signWebhook } from '../sdk/webhooks/sign.js';

export interface DeliveryRecord {
  jobId: string;
  webhookId: string;
  /** 1-based attempt number. */
  attempt: number;
  /** HTTP status of the receiver's answer, when it answered. */
  status?: number;
  /** Connection-level failure, when it did not. */
  error?: string;
  /** ISO time of the attempt (sandbox clock). */
  at: string;
}

/** Delays before attempts 2..n (unscaled ms): 0.5 s doubling, ~64 s in total. */
export const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 16000, 32000];
const ATTEMPT_TIMEOUT_MS = 10_000;

export function newWebhookId(): string {
  return 'msg_' + randomBytes(12).toString('base64url');
}

export interface WebhookDelivererOptions {
  secret: string;
  /** Time multiplier applied to retry delays and the per-attempt timeout. */
  speed: number;
  now: () => number;
  retryDelaysMs?: number[];
}

export class WebhookDeliverer {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<{ destroy(): void }>();
  private closed = false;

  constructor(private readonly opts: WebhookDelivererOptions) {}

  /** Starts delivering `body` to `url`; retries on non-2xx or connection failure. */
  deliver(target: { jobId: string; webhookId: string; url: string }, body: string): void {
    void this.attempt(target, body, 1);
  }

  private async attempt(target: { jobId: string; webhookId: string; url: string }, body: string, attempt: number): Promise<void> {
    if (this.closed) return;
    const timestamp = Math.floor(this.opts.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'qehs-sandbox-webhooks/1',
      'webhook-id': target.webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook({ id: target.webhookId, timestamp, body, secret: this.opts.secret }),
    };
    const outcome = await this.post(target.url, headers, body);
    if (this.closed) return;
    this.deliveries.push({
      jobId: target.jobId,
      webhookId: target.webhookId,
      attempt,
      ...outcome,
      at: new Date(this.opts.now()).toISOString(),
    });
    const succeeded = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
    const delays = this.opts.retryDelaysMs ?? RETRY_DELAYS_MS;
    if (succeeded || attempt > delays.length) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(target, body, attempt + 1);
    }, delays[attempt - 1]! / this.opts.speed);
    timer.unref();
    this.timers.add(timer);
  }

  private post(url: string, headers: Record<string, string>, body: string): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return resolve({ error: 'invalid webhook URL' });
      }
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const payload = Buffer.from(body, 'utf8');
      const req = send(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(payload.length) },
        agent: false, // no pooled sockets left behind at close()
        timeout: ATTEMPT_TIMEOUT_MS / this.opts.speed,
      });
      this.inFlight.add(req);
      const done = (result: { status?: number; error?: string }) => {
        this.inFlight.delete(req);
        resolve(result);
      };
      req.on('response', (res) => {
        res.resume(); // the receiver's body is irrelevant
        res.on('end', () => done({ status: res.statusCode }));
        res.on('error', () => done({ status: res.statusCode }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
      req.end(payload);
    });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }
}
