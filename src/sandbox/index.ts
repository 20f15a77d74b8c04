// Local sandbox of the async-jobs API: a real HTTP server with a simulated tenant.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobSnapshot } from '../sdk/types.js';
import { DownloadStore } from './downloads.js';
import { JobEngine, type JobRecord } from './engine.js';
import { createExportOperation } from './operations/export.js';
import { createImportOperation } from './operations/import.js';
import { createFilingOperation } from './operations/filing.js';
import { BUNDLE_PUBLIC_KEY_PATH } from '../sdk/operations/bundles.js';
import { bundlePublicKeyDocument, createBundleOperation } from './operations/bundle.js';
import { createSyncOperation } from './operations/sync.js';
import { createScimOperation } from './operations/scim.js';
import { generateBundleKeyPair } from './bundle/build.js';
import { TenantStore } from './tenant-store.js';
import { DEFAULT_SCENARIO, mergeScenario, type Scenario } from './scenario.js';
import { createRequestHandler } from './server.js';
import { WebhookDeliverer, type DeliveryRecord } from './webhook-delivery.js';

export type { Scenario, FailRequests } from './scenario.js';
export { DEFAULT_SCENARIO } from './scenario.js';
export type { DeliveryRecord } from './webhook-delivery.js';
export type { OperationDefinition } from './operations/types.js';

export const DEFAULT_TOKEN = 'sandbox-token-acme';
export const DEFAULT_TOKENS: Readonly<Record<string, string>> = Object.freeze({
  'sandbox-token-acme': 'acme',
  'sandbox-token-globex': 'globex',
});
/** Demo signing secret (base64 of "qehs-sandbox-demo-webhook-key-01"). Not a real secret. */
export const DEFAULT_WEBHOOK_SECRET = 'whsec_cWVocy1zYW5kYm94LWRlbW8td2ViaG9vay1rZXktMDE=';
export const DEFAULT_EXPORT_ROWS = 200;

export interface SandboxOptions {
  host?: string;
  port?: number;
  /** Time multiplier; 2 = jobs run twice as fast. */
  speed?: number;
  /** Injectable clock (epoch ms). */
  now?: () => number;
  /** Bearer token -> tenant id. */
  tokens?: Record<string, string>;
  /** Records per entity in a generated export. */
  exportRows?: number;
  scenario?: Partial<Scenario>;
  webhookSecret?: string;
  /** Request log sink; Authorization is never logged. */
  log?: (line: string) => void;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  path: string;
  status: number;
  /** Lower-case request headers; authorization is replaced by '[redacted]'. */
  headers: Record<string, string | string[] | undefined>;
  /** ISO time (sandbox clock). */
  at: string;
}

export interface Sandbox {
  url: string;
  port: number;
  tokens: Record<string, string>;
  defaultToken: string;
  webhookSecret: string;
  /** Ed25519 public key (SPKI PEM) that verifies this sandbox's evidence bundles; also at GET /api/v1/evidence-bundles/public-key. */
  bundlePublicKeyPem: string;
  setScenario(s: Partial<Scenario>): void;
  resetScenario(): void;
  requests: RecordedRequest[];
  deliveries: DeliveryRecord[];
  outputOf(jobId: string): Buffer | undefined;
  job(jobId: string): JobSnapshot | undefined;
  close(): Promise<void>;
}

function redactHeaders(headers: IncomingMessage['headers']): RecordedRequest['headers'] {
  const copy: RecordedRequest['headers'] = { ...headers };
  if (copy.authorization !== undefined) copy.authorization = '[redacted]';
  return copy;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const now = opts.now ?? Date.now;
  const speed = opts.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError('speed must be a positive number');
  const tokens = { ...(opts.tokens ?? DEFAULT_TOKENS) };
  const webhookSecret = opts.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
  const initialScenario = mergeScenario(DEFAULT_SCENARIO, opts.scenario ?? {});
  let scenario = mergeScenario(initialScenario, {});
  let baseUrl = '';

  const deliverer = new WebhookDeliverer({ secret: webhookSecret, speed, now });
  const downloads = new DownloadStore(() => baseUrl, now);
  const engine: JobEngine = new JobEngine({
    now,
    speed,
    downloads,
    onTerminal: (job: JobRecord) => {
      if (!job.webhookUrl || !job.scenario.deliverWebhooks) return;
      const body = JSON.stringify(engine.snapshot(job));
      deliverer.deliver({ jobId: job.id, webhookId: job.webhookId, url: job.webhookUrl }, body);
    },
  });
  // Live tenant data: imports change it, exports/filings/bundles read it.
  const store = new TenantStore(opts.exportRows ?? DEFAULT_EXPORT_ROWS);
  engine.register(createExportOperation({ rowsPerEntity: opts.exportRows ?? DEFAULT_EXPORT_ROWS, data: store.get }));
  engine.register(createImportOperation({ store }));
  engine.register(createFilingOperation({ data: store.get }));
  const bundleKeys = generateBundleKeyPair();
  engine.register(createBundleOperation({ data: store.get, keyPair: bundleKeys }));
  engine.register(createSyncOperation({ data: store.get }));
  engine.register(createScimOperation());

  const requests: RecordedRequest[] = [];
  const handler = createRequestHandler({
    engine,
    downloads,
    tokens,
    baseUrl: () => baseUrl,
    scenario: () => scenario,
    setScenario: (patch) => (scenario = mergeScenario(scenario, patch)),
    resetScenario: () => (scenario = mergeScenario(initialScenario, {})),
    documents: { [BUNDLE_PUBLIC_KEY_PATH]: bundlePublicKeyDocument(bundleKeys.publicKeyPem) },
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const startedAt = now();
    let recorded = false;
    // 'finish' = fully handed to the OS; 'close' also covers aborted/dropped responses.
    const record = () => {
      if (recorded) return;
      recorded = true;
      const entry: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        status: res.statusCode,
        headers: redactHeaders(req.headers),
        at: new Date(startedAt).toISOString(),
      };
      requests.push(entry);
      opts.log?.(`${entry.method} ${entry.path} ${entry.status} ${Math.max(0, now() - startedAt)}ms`);
    };
    res.on('finish', record);
    res.on('close', record);
    handler(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;
  baseUrl = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    tokens,
    defaultToken: Object.keys(tokens).find((t) => tokens[t] === 'acme') ?? Object.keys(tokens)[0] ?? DEFAULT_TOKEN,
    webhookSecret,
    bundlePublicKeyPem: bundleKeys.publicKeyPem,
    setScenario: (patch) => void (scenario = mergeScenario(scenario, patch)),
    resetScenario: () => void (scenario = mergeScenario(initialScenario, {})),
    requests,
    deliveries: deliverer.deliveries,
    outputOf(jobId) {
      const job = engine.find(jobId);
      if (job) engine.snapshot(job); // materializes output if the job has just ended
      return downloads.servedBytes(jobId);
    },
    job(jobId) {
      const job = engine.find(jobId);
      return job ? engine.snapshot(job) : undefined;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        engine.close();
        deliverer.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
