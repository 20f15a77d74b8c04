/** One thing wrong with an input file: where (physical line, field) and what. */
export interface ValidationProblem {
  line?: number;
  field?: string;
  message: string;
}

/** Outcome of validating a whole file. `problems` is capped; `problemCount` counts every problem found. */
export interface ValidationResult {
  /** Records read (valid or not). */
  count: number;
  problems: ValidationProblem[];
  problemCount: number;
}

/** Most problems kept in memory: a broken 1 GiB file must not exhaust memory with its own error list. */
export const MAX_KEPT_PROBLEMS = 1000;

/** Collects problems, keeping at most `max` but counting all of them. */
export class ProblemCollector {
  readonly problems: ValidationProblem[] = [];
  count = 0;

  constructor(private readonly max = MAX_KEPT_PROBLEMS) {}

  add(problem: ValidationProblem): void {
    this.count++;
    if (this.problems.length < this.max) this.problems.push(problem);
  }

  result(recordCount: number): ValidationResult {
    return { count: recordCount, problems: this.problems, problemCount: this.count };
  }
}

/**
 * Renders problems as `file:line: field: message` lines (parts omitted when unknown), at most `limit` of them,
 * then `... and N more problems`. Pass `total` (e.g. `problemCount`) when `problems` was capped.
 */
export function formatProblems(
  file: string,
  problems: readonly ValidationProblem[],
  limit = 20,
  total = problems.length,
): string {
  const shown = problems.slice(0, Math.max(0, limit));
  const lines = shown.map((p) => {
    const where = p.line !== undefined ? `${file}:${p.line}` : file;
    return p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`;
  });
  const rest = Math.max(total, problems.length) - shown.length;
  if (rest > 0) lines.push(`... and ${rest} more problem${rest === 1 ? '' : 's'}`);
  return lines.join('\n');
}

/** Quotes a user value for a message, shortened so a huge cell cannot flood the terminal. */
export function quoteValue(value: unknown, max = 40): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const short = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return JSON.stringify(short);
}
