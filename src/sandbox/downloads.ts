// Capability download URLs (`/files/<token>`), like pre-signed URLs: no Authorization, expire after an hour.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DownloadInfo } from '../sdk/types.js';
import { sendProblem } from './http-util.js';
import type { ProducedFile } from './operations/types.js';

export const DOWNLOAD_TTL_MS = 60 * 60 * 1000;

interface StoredDownload {
  jobId: string;
  /** The exact bytes served (differs from the advertised sha256 when corrupted on purpose). */
  served: Buffer;
  sha256: string;
  contentType: string;
  fileName: string;
  expiresAtMs: number;
  dropAfterBytes: number | null;
  dropped: boolean;
}

export type RangeSpec = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * Parses a single `bytes=` range against `size`. Returns null when the header should be ignored
 * (absent, malformed, or multiple ranges: we then answer 200 with the full body, as RFC 9110 allows).
 */
export function parseRange(header: string | undefined, size: number): RangeSpec {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return null; // syntactically invalid: ignore
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Number(last);
  return { start, end: Math.min(end, size - 1) };
}

export class DownloadStore {
  private readonly byToken = new Map<string, StoredDownload>();
  private readonly tokenByJob = new Map<string, string>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly now: () => number,
  ) {}

  add(
    jobId: string,
    file: ProducedFile,
    opts: { createdAtMs: number; corrupt: boolean; dropAfterBytes: number | null },
  ): DownloadInfo {
    const bytes = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const served = opts.corrupt ? corrupt(bytes) : bytes;
    const token = randomBytes(24).toString('base64url');
    const expiresAtMs = opts.createdAtMs + DOWNLOAD_TTL_MS;
    this.byToken.set(token, {
      jobId,
      served,
      sha256,
      contentType: file.contentType,
      fileName: file.fileName,
      expiresAtMs,
      dropAfterBytes: opts.dropAfterBytes,
      dropped: false,
    });
    this.tokenByJob.set(jobId, token);
    return {
      url: `${this.baseUrl()}/files/${token}`,
      sizeBytes: bytes.length,
      sha256,
      contentType: file.contentType,
      expiresAt: new Date(expiresAtMs).toISOString(),
      fileName: file.fileName,
    };
  }

  servedBytes(jobId: string): Buffer | undefined {
    const token = this.tokenByJob.get(jobId);
    return token === undefined ? undefined : this.byToken.get(token)?.served;
  }

  /** Serves GET/HEAD for `/files/<token>`; the caller has already checked the method. */
  serve(req: IncomingMessage, res: ServerResponse, token: string): void {
    const file = this.byToken.get(token);
    if (!file) return sendProblem(res, 404, 'not_found', 'No such download');
    if (this.now() >= file.expiresAtMs) return sendProblem(res, 410, 'download_expired', 'This download link has expired');

    const size = file.served.length;
    const etag = `"${file.sha256}"`;
    const headers: Record<string, string | number> = {
      'Content-Type': file.contentType,
      'Content-Disposition': `attachment; filename="${file.fileName.replace(/["\\\r\n]/g, '_')}"`,
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Cache-Control': 'private, no-store',
    };

    let range = parseRange(req.headers.range, size);
    const ifRange = req.headers['if-range'];
    // If-Range: only a matching strong validator keeps the range; anything else gets the full body.
    if (range !== null && typeof ifRange === 'string' && ifRange.trim() !== etag) range = null;

    if (range === 'unsatisfiable') {
      return sendProblem(res, 416, 'range_not_satisfiable', `Range not satisfiable for ${size} bytes`, {
        'Content-Range': `bytes */${size}`,
      });
    }
    const body = range ? file.served.subarray(range.start, range.end + 1) : file.served;
    if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['Content-Length'] = body.length;
    res.writeHead(range ? 206 : 200, headers);

    if (req.method === 'HEAD') return void res.end();
    if (file.dropAfterBytes !== null && !file.dropped) {
      // Simulated network failure: send a prefix, then cut the connection (once per job).
      file.dropped = true;
      res.write(body.subarray(0, file.dropAfterBytes), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  clear(): void {
    this.byToken.clear();
    this.tokenByJob.clear();
  }
}

/** Same length, different content: flips the bits of the middle byte. */
function corrupt(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  if (copy.length > 0) copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 0xff;
  else return Buffer.from('x');
  return copy;
}
