import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readRecords,
  recordsFromStream,
  detectFormat,
  InputFormatError,
  type RecordFormat,
  type SourceRecord,
} from '../../src/sdk/validation/source.js';

function stream(chunks: (string | Buffer)[], format: RecordFormat) {
  return recordsFromStream(Readable.from(chunks), format);
}

async function collect(source: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of source) out.push(r);
  return out;
}

async function failure(source: AsyncIterable<SourceRecord>): Promise<InputFormatError> {
  try {
    await collect(source);
  } catch (err) {
    if (err instanceof InputFormatError) return err;
    throw err;
  }
  throw new Error('expected an InputFormatError');
}

describe('detectFormat', () => {
  it('maps extensions, case-insensitively', () => {
    expect(detectFormat('a/b.CSV')).toBe('csv');
    expect(detectFormat('x.json')).toBe('json');
    expect(detectFormat('x.ndjson')).toBe('ndjson');
    expect(detectFormat('x.jsonl')).toBe('ndjson');
    expect(detectFormat('x.txt')).toBeUndefined();
    expect(detectFormat('noext')).toBeUndefined();
  });

  it('readRecords refuses an unknown extension without a format', () => {
    expect(() => readRecords('/tmp/data.txt')).toThrow(InputFormatError);
    expect(readRecords('/tmp/data.txt', 'csv').format).toBe('csv');
  });
});

describe('CSV', () => {
  it('reads header + rows with physical start lines, exposing the header', async () => {
    const src = stream(['id,title\n1,a\n2,b\n'], 'csv');
    const rows = await collect(src);
    expect(src.header).toEqual({ line: 1, columns: ['id', 'title'] });
    expect(rows).toEqual([
      { line: 2, record: { id: '1', title: 'a' } },
      { line: 3, record: { id: '2', title: 'b' } },
    ]);
  });

  it('strips a UTF-8 BOM so the first column name is clean', async () => {
    const src = stream([Buffer.from('\uFEFFid,title\r\n7,x\r\n', 'utf8')], 'csv');
    const rows = await collect(src);
    expect(src.header?.columns).toEqual(['id', 'title']);
    expect(rows[0]).toEqual({ line: 2, record: { id: '7', title: 'x' } });
  });

  it('keeps the start line of a record whose quoted field spans lines (CRLF), and counts on after it', async () => {
    const text = 'id,title\r\n1,"first\r\nsecond\r\nthird"\r\n2,"a, ""quoted"" b"\r\n\r\n\r\n3,z\r\n';
    const rows = await collect(stream([text], 'csv'));
    expect(rows.map((r) => r.line)).toEqual([2, 5, 8]);
    expect(rows[0]!.record.title).toBe('first\r\nsecond\r\nthird');
    expect(rows[1]!.record.title).toBe('a, "quoted" b');
  });

  it('same with LF line endings and a blank line before the header', async () => {
    const rows = await collect(stream(['\nid,title\n1,"x\ny"\n2,b\n'], 'csv'));
    expect(rows.map((r) => r.line)).toEqual([3, 5]);
  });

  it('handles multibyte characters split across chunks', async () => {
    const bytes = Buffer.from('id,title\n1,Zürich\n', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two-byte ü
    const rows = await collect(stream([bytes.subarray(0, cut), bytes.subarray(cut)], 'csv'));
    expect(rows[0]!.record.title).toBe('Zürich');
  });

  it('reports a row with the wrong number of fields and goes on', async () => {
    const rows = await collect(stream(['id,title\n1,a,extra\n2\n3,c\n'], 'csv'));
    expect(rows[0]!.error).toBe('row has 3 fields but the header has 2');
    expect(rows[1]).toMatchObject({ line: 3, error: 'row has 1 fields but the header has 2' });
    expect(rows[2]).toEqual({ line: 4, record: { id: '3', title: 'c' } });
  });

  it('an unclosed quote is fatal and names the line where that record starts', async () => {
    const err = await failure(stream(['id,title\n1,ok\n2,"never closed\nmore\n'], 'csv'));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/never closed/);
  });

  it('a stray quote in an unquoted field is fatal with its line', async () => {
    const err = await failure(stream(['id,title\n1,ok\n\n2,bad"quote\n'], 'csv'));
    expect(err.line).toBe(4);
  });

  it('an empty file has no header: fatal at line 1', async () => {
    const err = await failure(stream([''], 'csv'));
    expect(err).toMatchObject({ line: 1, message: expect.stringMatching(/header row is required/) });
  });

  it('reads a real file from disk (BOM + CRLF)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qehs-src-'));
    const file = join(dir, 'in.csv');
    writeFileSync(file, '\uFEFFid,site\r\n1,Plant A\r\n');
    const rows = await collect(readRecords(file));
    expect(rows).toEqual([{ line: 2, record: { id: '1', site: 'Plant A' } }]);
  });
});

describe('streaming', () => {
  /** An endless source: a reader that buffered the whole input would never yield. */
  function endless(header: string, row: (i: number) => string): Readable {
    let i = 0;
    return new Readable({
      read() {
        this.push(i === 0 ? header : '');
        for (let n = 0; n < 100; n++) this.push(row(i++));
      },
    });
  }

  for (const [format, header, row] of [
    ['csv', 'id,title\n', (i: number) => `${i},t\n`],
    ['ndjson', '', (i: number) => `{"id":${i}}\n`],
    ['json', '[', (i: number) => `{"id":${i}},\n`],
  ] as const) {
    it(`${format} yields records before the input ends`, async () => {
      const seen: number[] = [];
      for await (const r of recordsFromStream(endless(header, row), format)) {
        seen.push(r.line);
        if (seen.length === 250) break;
      }
      expect(seen).toHaveLength(250);
    });
  }
});

describe('NDJSON', () => {
  it('reads one object per line, skips blank lines, reports bad JSON with its line and continues', async () => {
    const text = '\uFEFF{"a":1}\r\n\r\n{"a":2}\n{not json}\n[1]\n{"a":3}';
    const rows = await collect(stream([text], 'ndjson'));
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4, 5, 6]);
    expect(rows[0]!.record).toEqual({ a: 1 });
    expect(rows[2]!.error).toMatch(/^invalid JSON/);
    expect(rows[3]!.error).toBe('expected a JSON object');
    expect(rows[4]!.record).toEqual({ a: 3 });
  });
});

describe('JSON array', () => {
  it('streams elements with the line each starts on, across chunk boundaries', async () => {
    const text = '[\n  {"a": "x, ] } \\" y"},\n  {\n    "b": [1, {"c": 2}]\n  }\n]\n';
    const chunks = text.match(/[\s\S]{1,5}/g)!; // tiny chunks to cut tokens apart
    const rows = await collect(stream(chunks, 'json'));
    expect(rows).toEqual([
      { line: 2, record: { a: 'x, ] } " y' } },
      { line: 3, record: { b: [1, { c: 2 }] } },
    ]);
  });

  it('an empty array yields nothing', async () => {
    expect(await collect(stream([' [ ] '], 'json'))).toEqual([]);
  });

  it('non-object elements and broken elements are per-record errors', async () => {
    const rows = await collect(stream(['[1, {"a":}, "s", {"ok":true}]'], 'json'));
    expect(rows.map((r) => r.error === undefined)).toEqual([false, false, false, true]);
    expect(rows[0]!.error).toBe('expected a JSON object');
    expect(rows[1]!.error).toMatch(/^invalid JSON/);
  });

  it('structural errors are fatal with their line', async () => {
    expect(await failure(stream(['{"a":1}'], 'json'))).toMatchObject({ line: 1, message: expect.stringMatching(/JSON array/) });
    expect(await failure(stream(['[\n{"a":1}\n{"b":2}]'], 'json'))).toMatchObject({ line: 3 });
    expect(await failure(stream(['[{"a":1},\n]'], 'json'))).toMatchObject({ line: 2, message: expect.stringMatching(/trailing comma/) });
    expect(await failure(stream(['[{"a":1}\n'], 'json'))).toMatchObject({ message: expect.stringMatching(/not closed/) });
    expect(await failure(stream(['[]\nx'], 'json'))).toMatchObject({ line: 2 });
    expect(await failure(stream([''], 'json'))).toMatchObject({ message: expect.stringMatching(/empty/) });
  });
});
