import type { Writable } from 'node:stream';
import { downloadToFile, downloadToStream, type DownloadOptions } from './download.js';
import { HttpClient, type HttpClientOptions } from './http.js';
import { Jobs } from './jobs.js';
import { Exports } from './operations/exports.js';
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

  constructor(options: QehsClientOptions = {}) {
    this.http = new HttpClient({ ...options, baseUrl: options.baseUrl ?? DEFAULT_BASE_URL });
    this.jobs = new Jobs(this.http);
    this.exports = new Exports(this.http);
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
