import type { Writable } from 'node:stream';
import { downloadToFile, downloadToStream, type DownloadOptions } from './download.js';
import { HttpClient, type HttpClientOptions } from './http.js';
import { Jobs } from './jobs.js';
import { Exports } from './operations/exports.js';
import { Imports } from './operations/imports.js';
import { Filings } from './operations/filings.js';
import { Bundles } from './operations/bundles.js';
import { Syncs } from './operations/syncs.js';
import { Scim } from './operations/scim.js';
import type { DownloadInfo } from './types.js';

export const DEFAULT_BASE_URL = 'https://app.qehsethos.com';

export interface QehsClientOptions extends Omit<HttpClientOptions, 'baseUrl'> {
  baseUrl?: string;
}

/** Entry point of the SDK: one HTTP client, one object per resource. */
export class QehsClient {
  readonly http: HttpClient;
  readonly jobs: Jobs;
  readonly exports: Exports;
  readonly imports: Imports;
  readonly filings: Filings;
  readonly bundles: Bundles;
  readonly syncs: Syncs;
  readonly scim: Scim;

  constructor(options: QehsClientOptions = {}) {
    this.http = new HttpClient({ ...options, baseUrl: options.baseUrl ?? DEFAULT_BASE_URL });
    this.jobs = new Jobs(this.http);
    this.exports = new Exports(this.http);
    this.imports = new Imports(this.http);
    this.filings = new Filings(this.http);
    this.bundles = new Bundles(this.http);
    this.syncs = new Syncs(this.http);
    this.scim = new Scim(this.http);
  }

  /** Downloads a job's result file to `target` (verified, atomic). */
  download(info: DownloadInfo, target: string, options?: DownloadOptions) {
    return downloadToFile(this.http, info, target, options);
  }

  /** Streams a job's result file into `out`, verifying it at the end. */
  downloadTo(info: DownloadInfo, out: Writable, options?: DownloadOptions) {
    return downloadToStream(this.http, info, out, options);
  }
}
