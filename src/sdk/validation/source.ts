// Streaming readers for record files (CSV, JSON array, NDJSON) that remember where each record starts.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse, CsvError } from 'csv-parse';
import { countLineBreaks } from './fields.js';

export const RECORD_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/**
 * One record and the physical line it starts on. `error` is set when this record could not be read
 * (bad JSON on an NDJSON line, a CSV row with the wrong number of fields); `record` is then `{}` or partial.
 * Reading continues after such a record.
 */
export interface SourceRecord {
  line: number;
  record: Record<string, unknown>;
  error?: string;
}

/** The header row of a CSV file: its line and trimmed column names (in file order, duplicates kept). */
export interface CsvHeader {
  line: number;
  columns: string[];
}

/** Records of one file. `header` is set (CSV only) once iteration has read the header row. */
export interface RecordStream extends AsyncIterable<SourceRecord> {
  readonly format: RecordFormat;
  readonly header?: CsvHeader;
}

/** The file cannot be read any further (broken CSV quoting, malformed JSON array structure, no header). */
export class InputFormatError extends Error {
  override readonly name = 'InputFormatError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Format from the file extension: .csv, .json, .ndjson/.jsonl; undefined when it cannot tell. */
export function detectFormat(path: string): RecordFormat | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'json') return 'json';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  return undefined;
}

/**
 * Streams the records of a file in constant memory (all three formats stream; a JSON array is scanned element by
 * element, so only one element is held at a time). The file is opened when iteration starts.
 * Throws InputFormatError at once when no format is given and the extension does not tell.
 */
export function readRecords(path: string, format?: RecordFormat): RecordStream {
  const resolved = format ?? detectFormat(path);
  if (!resolved) {
    throw new InputFormatError(`cannot tell the format of ${path} from its extension; choose csv, json or ndjson`);
  }
  return new FileRecordStream(() => createReadStream(path), resolved);
}

/** Same as readRecords but over an already open stream (stdin, tests). Iterate it once. */
export function recordsFromStream(input: Readable, format: RecordFormat): RecordStream {
  return new FileRecordStream(() => input, format);
}

class FileRecordStream implements RecordStream {
  header?: CsvHeader;

  constructor(
    private readonly open: () => Readable,
    readonly format: RecordFormat,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<SourceRecord> {
    const input = this.open();
    if (this.format === 'csv') return readCsv(input, (h) => (this.header = h));
    if (this.format === 'ndjson') return readNdjson(input);
    return readJsonArray(input);
  }
}

// ---------------------------------------------------------------------------------------------------- CSV

async function* readCsv(input: Readable, onHeader: (header: CsvHeader) => void): AsyncGenerator<SourceRecord> {
  // skip_records_with_error turns a parse error into a 'skip' event instead of destroying the stream (which would
  // drop records parsed before it). The first such error is fatal, raised once the records before it are read.
  // Blank lines are kept as records (one empty field) and skipped here, so no per-record `info` snapshot is
  // needed to count them (that option halves csv-parse's throughput).
  const parser = parse({ bom: true, relax_column_count: true, skip_records_with_error: true });
  let fatal: { err: CsvError; recordsBefore: number } | undefined;
  parser.on('skip', (err: CsvError) => {
    fatal ??= { err, recordsBefore: parser.info.records };
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);

  // csv-parse's own line counter drifts on CRLF inside quoted fields, so count lines ourselves: each record
  // starts where the previous one ended and spans the line breaks inside its fields.
  let nextLine = 1;
  let consumed = 0;
  let columns: string[] | undefined;
  const fatalError = (f: NonNullable<typeof fatal>) =>
    new InputFormatError(`cannot parse CSV: ${describeCsvError(f.err)}`, nextLine);
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      if (fatal && consumed >= fatal.recordsBefore) throw fatalError(fatal);
      consumed++;
      const line = nextLine;
      nextLine = line + 1 + (fields.length === 1 ? countLineBreaks(fields[0]!) : fields.reduce((n, f) => n + countLineBreaks(f), 0));
      if (fields.length === 1 && fields[0] === '') continue; // blank line

      if (!columns) {
        columns = fields.map((name) => name.trim());
        onHeader({ line, columns });
        continue;
      }
      const record: Record<string, unknown> = {};
      columns.forEach((name, i) => {
        if (!(name in record)) record[name] = fields[i] ?? '';
      });
      if (fields.length !== columns.length) {
        yield { line, record, error: `row has ${fields.length} fields but the header has ${columns.length}` };
      } else {
        yield { line, record };
      }
    }
    if (fatal) throw fatalError(fatal);
  } finally {
    if (!input.readableEnded) input.destroy();
  }
  if (!columns) throw new InputFormatError('the file is empty: a header row is required', 1);
}

function describeCsvError(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field starting in this record is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'unexpected character after a closing quote (double a quote inside a quoted field: "")';
    case 'INVALID_OPENING_QUOTE':
      return 'quote inside an unquoted field (quote the whole field and double inner quotes)';
    default:
      return err.message;
  }
}

// ------------------------------------------------------------------------------------------------- NDJSON

async function* readNdjson(input: Readable): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (let text of lines) {
    line++;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') continue;
    yield parseElement(text, line);
  }
}

function parseElement(text: string, line: number): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { line, record: {}, error: `invalid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { line, record: {}, error: 'expected a JSON object' };
  }
  return { line, record: value as Record<string, unknown> };
}

// --------------------------------------------------------------------------------------------- JSON array

/**
 * Scans `[ {...}, {...} ]` one element at a time: tracks string/escape state and nesting depth to find where
 * each top-level element ends, then JSON.parses just that element. Line numbers count LF characters.
 */
async function* readJsonArray(input: Readable): AsyncGenerator<SourceRecord> {
  const decoder = new StringDecoder('utf8');
  type State = 'start' | 'element' | 'value' | 'separator' | 'done';
  let state: State = 'start';
  let line = 1;
  let afterComma = false;
  let value = '';
  let valueLine = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;

  const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\uFEFF';

  for await (const chunk of input as AsyncIterable<string | Buffer>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (state === 'value') {
        // Does `ch` belong to the current element, close it, or end it from outside (primitive followed by , ] space)?
        let endsBefore = false;
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
        } else if (ch === '"') {
          inString = true;
        } else if (ch === '{' || ch === '[') {
          depth++;
        } else if (ch === '}' || ch === ']') {
          if (depth === 0) endsBefore = true;
          else depth--;
        } else if (depth === 0 && (ch === ',' || isSpace(ch))) {
          endsBefore = true;
        }
        if (!endsBefore) {
          value += ch;
          if (ch === '\n') line++;
          if (depth === 0 && !inString && (ch === '}' || ch === ']')) {
            yield parseElement(value, valueLine);
            state = 'separator';
          }
          continue;
        }
        yield parseElement(value, valueLine);
        state = 'separator';
        // fall through: `ch` is structural
      }
      if (ch === '\n') line++;
      if (isSpace(ch)) continue;
      switch (state) {
        case 'start':
          if (ch !== '[') throw new InputFormatError('expected a JSON array of objects (file must start with [)', line);
          state = 'element';
          break;
        case 'element':
          if (ch === ']') {
            if (afterComma) throw new InputFormatError('trailing comma before ]', line);
            state = 'done';
          } else if (ch === ',') {
            throw new InputFormatError("unexpected ',' (missing array element)", line);
          } else {
            state = 'value';
            value = ch;
            valueLine = line;
            depth = ch === '{' || ch === '[' ? 1 : 0;
            inString = ch === '"';
            escaped = false;
          }
          break;
        case 'separator':
          if (ch === ',') {
            state = 'element';
            afterComma = true;
          } else if (ch === ']') {
            state = 'done';
          } else {
            throw new InputFormatError("expected ',' or ']' after an array element", line);
          }
          break;
        case 'done':
          throw new InputFormatError('unexpected content after the closing ]', line);
      }
    }
  }
  if (state === 'value' && depth === 0 && !inString) {
    yield parseElement(value, valueLine);
    state = 'separator';
  }
  if (state === 'start') throw new InputFormatError('the file is empty: expected a JSON array', line);
  if (state !== 'done') throw new InputFormatError('unexpected end of file: the JSON array is not closed with ]', line);
}
