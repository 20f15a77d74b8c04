import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { IntegrityError, QehsError, ValidationError } from './errors.js';
import { headerValue } from './headers.js';
import type { HttpClient } from './http.js';
import { abortReason } from './timing.js';
import type { DownloadInfo } from './types.js';

export interface DownloadOptions {
  signal?: AbortSignal;
  deadline?: number;
  /** Replace an existing file at the target path. */
  force?: boolean;
  /** Re-requests with Range after a dropped connection. */
  maxResumes?: number;
  onProgress?: (progress: { bytes: number; totalBytes?: number; resumedFromBytes?: number }) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  resumes: number;
}

/** Where the bytes go: a file being written or an already-open stream (stdout). */
interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  /** Throw away what was written (a 200 answered our Range request: start over). */
  restart(): Promise<void>;
}

/**
 * Streams a result file to `<target>.part` at constant memory, resumes with Range + If-Range after a
 * dropped connection, verifies size and sha256, then renames into place. Nothing is left at the target
 * path unless the file is intact.
 */
export async function downloadToFile(http: HttpClient, info: DownloadInfo, target: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  if (!options.force && (await exists(target))) {
    throw new ValidationError(`${target} already exists; pass --force to replace it`, { code: 'output_exists' });
  }
  const partPath = `${target}.part`;
  let file = await openPart(partPath);
  const sink: Sink = {
    write: (chunk) => writeChunk(file, chunk),
    restart: async () => {
      await closeStream(file);
      file = await openPart(partPath);
    },
  };
  try {
    const { bytes, sha256, resumes } = await transfer(http, info, sink, options);
    await closeStream(file);
    verify(info, bytes, sha256);
    await rename(partPath, target);
    return { path: target, bytes, sha256, resumes };
  } catch (error) {
    file.destroy();
    await rm(partPath, { force: true });
    throw error;
  }
}

/** Streams a result file into `out` (e.g. stdout for `-o -`), verifying it at the end. */
export async function downloadToStream(http: HttpClient, info: DownloadInfo, out: Writable, options: DownloadOptions = {}): Promise<Omit<DownloadResult, 'path'>> {
  const sink: Sink = {
    write: (chunk) => writeChunk(out, chunk),
    restart: async () => {
      throw new IntegrityError('The server restarted the download from the beginning; bytes already written to the stream cannot be taken back', {
        code: 'download_restarted',
      });
    },
  };
  const result = await transfer(http, info, sink, options);
  verify(info, result.bytes, result.sha256);
  return result;
}

async function transfer(http: HttpClient, info: DownloadInfo, sink: Sink, options: DownloadOptions) {
  const maxResumes = options.maxResumes ?? 5;
  let hash: Hash = createHash('sha256');
  let bytes = 0;
  let etag: string | undefined;
  let resumes = 0;
  for (;;) {
    const headers: Record<string, string> = {};
    if (bytes > 0) {
      headers.range = `bytes=${bytes}-`;
      if (etag) headers['if-range'] = etag;
    }
    let response;
    try {
      response = await http.openStream(info.url, headers, options.signal, options.deadline);
    } catch (error) {
      throw downloadError(error, info);
    }
    if (bytes > 0 && response.status !== 206) {
      // The file changed (If-Range mismatch) or the server ignores ranges: start over.
      await sink.restart();
      hash = createHash('sha256');
      bytes = 0;
    }
    etag = strongEtag(headerValue(response.headers, 'etag')) ?? etag;
    const total = info.sizeBytes;
    options.onProgress?.({ bytes, totalBytes: total, resumedFromBytes: bytes > 0 ? bytes : undefined });
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        await sink.write(chunk);
        options.onProgress?.({ bytes, totalBytes: total });
      }
      return { bytes, sha256: hash.digest('hex'), resumes };
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      if (error instanceof QehsError || isLocalWriteError(error)) throw error;
      if (resumes >= maxResumes) {
        throw downloadError(error, info, `the connection dropped ${resumes + 1} times`);
      }
      resumes++;
    }
  }
}

function verify(info: DownloadInfo, bytes: number, sha256: string): void {
  if (typeof info.sizeBytes === 'number' && bytes !== info.sizeBytes) {
    throw new IntegrityError(`Downloaded ${bytes} bytes but the job announced ${info.sizeBytes}`, { code: 'size_mismatch' });
  }
  if (info.sha256 && sha256.toLowerCase() !== info.sha256.toLowerCase()) {
    throw new IntegrityError(`Checksum mismatch: the downloaded file has sha256 ${sha256}, the job announced ${info.sha256}`, {
      code: 'checksum_mismatch',
    });
  }
}

function downloadError(error: unknown, info: DownloadInfo, why?: string): unknown {
  if (!(error instanceof Error) || error instanceof QehsError) return error;
  return new QehsError(`Download of ${new URL(info.url).pathname} failed: ${why ?? error.message}`, { code: 'download_failed', cause: error });
}

async function openPart(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'w', mode: 0o644 });
  await once(stream, 'open');
  // Write errors are read from `stream.errored` / the drain wait; never let them crash the process.
  stream.on('error', () => {});
  return stream;
}

async function writeChunk(out: Writable, chunk: Uint8Array): Promise<void> {
  if (out.errored) throw markLocal(out.errored);
  if (out.write(chunk)) return;
  // events.once rejects when 'error' fires while waiting for 'drain'.
  await once(out, 'drain').catch((error: unknown) => {
    throw markLocal(error);
  });
}

async function closeStream(stream: WriteStream): Promise<void> {
  if (stream.closed) return;
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(markLocal(error)) : resolve())));
}

const LOCAL = Symbol('local-write-error');
function markLocal(error: unknown): unknown {
  if (error && typeof error === 'object') (error as Record<symbol, boolean>)[LOCAL] = true;
  return error;
}
function isLocalWriteError(error: unknown): boolean {
  return Boolean(error && typeof error === 'object' && (error as Record<symbol, boolean>)[LOCAL]);
}

function strongEtag(value: string | undefined): string | undefined {
  // If-Range requires a strong validator.
  return value && !value.startsWith('W/') ? value : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

