import { describe, expect, it } from 'vitest';
import { ENTITY_CHOICES, FORMAT_CHOICES, MODE_CHOICES, summarizeImport } from '../../src/cli/commands/import.js';
import { importResultOf } from '../../src/sdk/operations/imports.js';
import { ENTITIES, IMPORT_MODES, RECORD_FORMATS } from '../../src/sdk/validation/index.js';

const base = { jobId: 'job-1', enqueuedAt: '2026-04-01T12:00:00Z' };

describe('qehs import command helpers', () => {
  it('offers exactly the SDK entities, modes and formats', () => {
    expect(ENTITY_CHOICES).toEqual([...ENTITIES]);
    expect(MODE_CHOICES).toEqual([...IMPORT_MODES]);
    expect(FORMAT_CHOICES).toEqual([...RECORD_FORMATS]);
  });

  it('summarizes counts and previews row errors as file:line: field: code: message', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({ line: i + 2, field: 'id', code: 'not_found', message: `no incident with id X-${i}` }));
    const lines = summarizeImport(
      { ...base, status: 'succeeded', result: { entity: 'incidents', created: 0, updated: 3, deleted: 0, failed: 7, errors, errorCount: 9 } },
      'rows.csv',
    );
    expect(lines[0]).toBe('Imported incidents: 0 created, 3 updated, 0 deleted, 7 failed');
    expect(lines[1]).toBe('rows.csv:2: id: not_found: no incident with id X-0');
    expect(lines).toHaveLength(7);
    expect(lines.at(-1)).toBe('... and 4 more problems');
  });

  it('says a cancelled import was rolled back', () => {
    expect(summarizeImport({ ...base, status: 'cancelled' }, 'f.csv')).toEqual(['Rolled back: nothing from this import was applied']);
  });

  it('importResultOf reads missing counts as 0 and never undercounts errors', () => {
    const result = importResultOf({ result: { created: 2, errors: [{ line: 3, code: 'duplicate', message: 'm' }] } });
    expect(result).toMatchObject({ created: 2, updated: 0, deleted: 0, failed: 0, errorCount: 1 });
    expect(importResultOf({})).toBeUndefined();
  });
});
