// Column-level checks shared by the record and SCIM validators: a CSV header is checked once; for JSON
// sources, where each record carries its own keys, an unknown key is reported once (at its first line).
import { InputFormatError, type SourceRecord, type RecordStream } from './source.js';
import { ProblemCollector, type ValidationResult } from './problems.js';

export interface ColumnRules {
  known: ReadonlySet<string>;
  required: readonly string[];
}

/** Distinct unknown JSON keys reported at most; past this they are surely a wrong file, not typos. */
const MAX_UNKNOWN_KEYS = 50;

export class ColumnChecker {
  /** Required columns missing from the CSV header: rows are not blamed for them again. */
  readonly missingColumns = new Set<string>();
  private headerChecked = false;
  private readonly unknownKeys = new Set<string>();

  constructor(
    private readonly rules: ColumnRules,
    private readonly problems: ProblemCollector,
  ) {}

  /** Checks the CSV header, once, as soon as the source exposes it. */
  checkHeaderOf(source: Partial<Pick<RecordStream, 'header'>>): void {
    const header = source.header;
    if (this.headerChecked || !header) return;
    this.headerChecked = true;
    const seen = new Set<string>();
    header.columns.forEach((name, i) => {
      if (name === '') {
        this.problems.add({ line: header.line, message: `column ${i + 1} of the header has no name` });
      } else if (seen.has(name)) {
        this.problems.add({ line: header.line, field: name, message: 'column appears more than once in the header' });
      } else if (!this.rules.known.has(name)) {
        this.problems.add({ line: header.line, field: name, message: `unknown column (expected: ${[...this.rules.known].join(', ')})` });
      }
      seen.add(name);
    });
    for (const name of this.rules.required) {
      if (!seen.has(name)) {
        this.missingColumns.add(name);
        this.problems.add({ line: header.line, field: name, message: 'required column is missing from the header' });
      }
    }
  }

  /** Reports keys of a JSON record that no column rule knows (each distinct key once). */
  checkKeys(item: SourceRecord): void {
    if (this.headerChecked) return; // CSV: the header already covered this
    for (const key of Object.keys(item.record)) {
      if (this.rules.known.has(key) || this.unknownKeys.has(key) || this.unknownKeys.size >= MAX_UNKNOWN_KEYS) continue;
      this.unknownKeys.add(key);
      this.problems.add({ line: item.line, field: key, message: 'unknown field (reported once, at its first occurrence)' });
    }
  }
}

/**
 * Drives a per-record check over a source: counts records, reports unreadable records, checks the CSV header,
 * and turns a fatal InputFormatError into a final problem instead of throwing.
 */
export async function validateSource(
  source: AsyncIterable<SourceRecord> & Partial<Pick<RecordStream, 'header'>>,
  rules: ColumnRules,
  checkRecord: (item: SourceRecord, columns: ColumnChecker, problems: ProblemCollector) => void,
): Promise<ValidationResult> {
  const problems = new ProblemCollector();
  const columns = new ColumnChecker(rules, problems);
  let count = 0;
  try {
    for await (const item of source) {
      columns.checkHeaderOf(source);
      count++;
      if (item.error) {
        problems.add({ line: item.line, message: item.error });
        continue;
      }
      columns.checkKeys(item);
      checkRecord(item, columns, problems);
    }
    columns.checkHeaderOf(source); // a header-only CSV has no records to trigger the check
  } catch (err) {
    if (!(err instanceof InputFormatError)) throw err;
    columns.checkHeaderOf(source);
    problems.add({ line: err.line, message: err.message });
  }
  return problems.result(count);
}
