import { describe, it, expect } from 'vitest';
import { formatProblems, ProblemCollector, quoteValue } from '../../src/sdk/validation/problems.js';

describe('formatProblems', () => {
  it('renders file:line: field: message, omitting unknown parts', () => {
    const text = formatProblems('in.csv', [
      { line: 3, field: 'date', message: 'is required' },
      { line: 1, message: 'bad header' },
      { field: 'emails', message: 'no line' },
      { message: 'whole file' },
    ]);
    expect(text.split('\n')).toEqual([
      'in.csv:3: date: is required',
      'in.csv:1: bad header',
      'in.csv: emails: no line',
      'in.csv: whole file',
    ]);
  });

  it('stops at the limit (default 20) and says how many more', () => {
    const problems = Array.from({ length: 25 }, (_, i) => ({ line: i + 2, message: 'x' }));
    const lines = formatProblems('f.csv', problems).split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe('f.csv:21: x');
    expect(lines[20]).toBe('... and 5 more problems');
    expect(formatProblems('f.csv', problems, 24).split('\n').at(-1)).toBe('... and 1 more problem');
  });

  it('prints no trailer at or under the limit, and counts a capped total', () => {
    const problems = [{ line: 2, message: 'x' }, { line: 3, message: 'y' }];
    expect(formatProblems('f', problems, 2)).toBe('f:2: x\nf:3: y');
    expect(formatProblems('f', problems, 2, 5000)).toBe('f:2: x\nf:3: y\n... and 4998 more problems');
    expect(formatProblems('f', [])).toBe('');
  });
});

describe('ProblemCollector', () => {
  it('keeps at most max problems and counts all', () => {
    const c = new ProblemCollector(2);
    for (let i = 0; i < 5; i++) c.add({ line: i, message: 'm' });
    expect(c.result(9)).toEqual({ count: 9, problems: [{ line: 0, message: 'm' }, { line: 1, message: 'm' }], problemCount: 5 });
  });
});

describe('quoteValue', () => {
  it('quotes and shortens long values', () => {
    expect(quoteValue('abc')).toBe('"abc"');
    expect(quoteValue('x'.repeat(100), 10)).toBe(JSON.stringify(`${'x'.repeat(9)}…`));
  });
});
