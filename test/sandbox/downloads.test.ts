import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRange } from '../../src/sandbox/downloads.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, kickOffExport, manualClock, sandbox } from './helpers.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Runs an export to completion on a manual clock and returns its final snapshot. */
async function finishedExport(body: Record<string, unknown>, opts: Parameters<typeof sandbox>[0] = {}) {
  const clock = manualClock();
  const sb = await sandbox({ now: clock.now, ...opts });
  open.push(sb);
  const { json: kick } = await kickOffExport(sb, body);
  clock.advance(10_000);
  const snap = (await call(sb, 'GET', `/api/v1/jobs/${kick.jobId}`)).json;
  return { sb, clock, snap, download: snap.result.download as { url: string; sha256: string; sizeBytes: number } };
}

describe('download endpoint', () => {
  it('serves the full file without Authorization, with matching sha256 and headers', async () => {
    const { sb, snap, download } = await finishedExport({ format: 'csv' });
    const res = await fetch(download.url);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(sha256(bytes)).toBe(download.sha256);
    expect(bytes.length).toBe(download.sizeBytes);
    expect(res.headers.get('content-length')).toBe(String(download.sizeBytes));
    expect(res.headers.get('etag')).toBe(`"${download.sha256}"`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe(snap.result.download.contentType);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${snap.result.download.fileName}"`);
    expect(Buffer.from(bytes).equals(sb.outputOf(snap.jobId)!)).toBe(true);
    expect(snap.result.download.expiresAt).toBe(new Date(Date.parse(snap.finishedAt) + 3600_000).toISOString());
  });

  it('honours Range, suffix ranges, open ranges and If-Range', async () => {
    const { sb, snap, download } = await finishedExport({ format: 'json' });
    const full = sb.outputOf(snap.jobId)!;
    const size = full.length;

    const mid = await fetch(download.url, { headers: { range: 'bytes=10-19' } });
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe(`bytes 10-19/${size}`);
    expect(Buffer.from(await mid.arrayBuffer()).equals(full.subarray(10, 20))).toBe(true);

    const open = await fetch(download.url, { headers: { range: `bytes=${size - 5}-` } });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(full.subarray(size - 5))).toBe(true);

    const suffix = await fetch(download.url, { headers: { range: 'bytes=-7' } });
    expect(suffix.headers.get('content-range')).toBe(`bytes ${size - 7}-${size - 1}/${size}`);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(full.subarray(size - 7))).toBe(true);

    const matching = await fetch(download.url, { headers: { range: 'bytes=0-3', 'if-range': `"${download.sha256}"` } });
    expect(matching.status).toBe(206);
    await matching.arrayBuffer();
    const stale = await fetch(download.url, { headers: { range: 'bytes=0-3', 'if-range': '"0000"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(size);
  });

  it('answers 416 with Content-Range for an unsatisfiable range', async () => {
    const { download } = await finishedExport({ format: 'csv' });
    const res = await fetch(download.url, { headers: { range: `bytes=${download.sizeBytes}-` } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${download.sizeBytes}`);
    await res.arrayBuffer();
  });

  it('answers HEAD with the headers and no body', async () => {
    const { download } = await finishedExport({ format: 'csv' });
    const res = await fetch(download.url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(download.sizeBytes));
    expect(res.headers.get('etag')).toBe(`"${download.sha256}"`);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('expires after an hour with 410, and unknown tokens are 404', async () => {
    const { clock, download, sb } = await finishedExport({ format: 'csv' });
    expect((await fetch(`${sb.url}/files/notatoken`)).status).toBe(404);
    clock.advance(3600_000);
    const res = await fetch(download.url);
    expect(res.status).toBe(410);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('export content', () => {
  it('CSV parses back with a header row and tricky descriptions intact', async () => {
    const { sb, snap } = await finishedExport({ format: 'csv' });
    const text = sb.outputOf(snap.jobId)!.toString('utf8');
    expect(text.startsWith('entity,id,site,title,status,date,severity,owner,description\r\n')).toBe(true);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(80);
    expect(new Set(rows.map((r) => r.entity))).toEqual(new Set(['incidents', 'inspections', 'capas', 'observations']));
    const descriptions = rows.map((r) => r.description).join('\n');
    expect(descriptions).toMatch(/"/);
    expect(rows.some((r) => r.description!.includes('\n'))).toBe(true);
    expect(rows.some((r) => r.description!.includes(','))).toBe(true);
    expect(rows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.date!))).toBe(true);
  });

  it('JSON export is one document with the four entity arrays', async () => {
    const { sb, snap } = await finishedExport({ format: 'json' });
    const doc = JSON.parse(sb.outputOf(snap.jobId)!.toString('utf8'));
    expect(doc.tenant).toBe('acme');
    expect(doc.exportedAt).toBe(snap.finishedAt);
    for (const entity of ['incidents', 'inspections', 'capas', 'observations']) expect(doc[entity]).toHaveLength(20);
    expect(doc.incidents[0]).toHaveProperty('occurred_on');
    expect(doc.capas[0]).toHaveProperty('due_on');
  });

  it('is deterministic per tenant and differs between tenants', async () => {
    const a = await finishedExport({ format: 'csv' });
    const b = await finishedExport({ format: 'csv' });
    expect(a.download.sha256).toBe(b.download.sha256);
    const { json: kick } = await kickOffExport(a.sb, { format: 'csv' }, { token: 'sandbox-token-globex' });
    a.clock.advance(10_000);
    expect(a.sb.job(kick.jobId)!.result!.download!.sha256).not.toBe(a.download.sha256);
  });

  it('with attachments is a real ZIP holding the export and attachment files', async () => {
    const { sb, snap } = await finishedExport({ format: 'csv', includeAttachments: true });
    expect(snap.result.download.contentType).toBe('application/zip');
    const files = unzipSync(new Uint8Array(sb.outputOf(snap.jobId)!));
    const names = Object.keys(files);
    expect(names).toContain('export.csv');
    expect(names.some((n) => /^attachments\/INC-\d{4}\/report\.pdf$/.test(n))).toBe(true);
    expect(parse(strFromU8(files['export.csv']!), { columns: true })).toHaveLength(80);
    const pdf = names.find((n) => n.endsWith('.pdf'))!;
    expect(strFromU8(files[pdf]!).startsWith('%PDF-')).toBe(true);
  });
});

describe('download faults', () => {
  it('corruptDownload serves bytes that do not match the advertised sha256', async () => {
    const { download, sb, snap } = await finishedExport({ format: 'csv' }, { scenario: { corruptDownload: true } });
    const bytes = new Uint8Array(await (await fetch(download.url)).arrayBuffer());
    expect(bytes.length).toBe(download.sizeBytes);
    expect(sha256(bytes)).not.toBe(download.sha256);
    expect(Buffer.from(bytes).equals(sb.outputOf(snap.jobId)!)).toBe(true);
  });

  it('dropDownloadAfterBytes cuts the first GET, then a Range request resumes', async () => {
    const { download, sb, snap } = await finishedExport({ format: 'csv' }, { scenario: { dropDownloadAfterBytes: 100 } });
    const received = await new Promise<{ bytes: Buffer; error: boolean }>((resolve) => {
      const chunks: Buffer[] = [];
      request(download.url, (res) => {
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => resolve({ bytes: Buffer.concat(chunks), error: true }));
        res.on('end', () => resolve({ bytes: Buffer.concat(chunks), error: false }));
      })
        .on('error', () => resolve({ bytes: Buffer.concat(chunks), error: true }))
        .end();
    });
    expect(received.error).toBe(true);
    expect(received.bytes.length).toBe(100);
    const rest = await fetch(download.url, { headers: { range: 'bytes=100-', 'if-range': `"${download.sha256}"` } });
    expect(rest.status).toBe(206);
    const whole = Buffer.concat([received.bytes, Buffer.from(await rest.arrayBuffer())]);
    expect(sha256(whole)).toBe(download.sha256);
    expect(whole.equals(sb.outputOf(snap.jobId)!)).toBe(true);
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-0', 10, { start: 0, end: 0 }],
    ['bytes=5-100', 10, { start: 5, end: 9 }],
    ['bytes=-100', 10, { start: 0, end: 9 }],
    ['bytes=10-', 10, 'unsatisfiable'],
    ['bytes=-0', 10, 'unsatisfiable'],
    ['bytes=5-2', 10, null],
    ['bytes=0-1,3-4', 10, null],
    ['items=0-1', 10, null],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
