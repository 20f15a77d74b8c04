import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ENTITIES,
  entityColumns,
  validateRecords,
  validateRecordFile,
  recordsFromStream,
  type Entity,
  type ImportMode,
  type RecordFormat,
} from '../../src/sdk/validation/records.js';
import type { ValidationProblem } from '../../src/sdk/validation/problems.js';

const NOW = new Date('2025-03-10T12:00:00Z');

function validate(text: string, entity: Entity, mode: ImportMode, format: RecordFormat = 'csv') {
  return validateRecords(recordsFromStream(Readable.from([text]), format), { entity, mode, now: NOW });
}

/** Validates one JSON record (NDJSON) and returns its problems. */
async function problemsOf(record: Record<string, unknown>, entity: Entity = 'incidents', mode: ImportMode = 'create') {
  const result = await validate(JSON.stringify(record), entity, mode, 'ndjson');
  return result.problems;
}

const fields = (problems: ValidationProblem[]) => problems.map((p) => p.field);

const INCIDENT = {
  site: 'Plant A',
  title: 'Forklift collision',
  status: 'open',
  date: '2025-03-01',
  severity: 'high',
  owner: 'jane.doe@example.com',
  description: 'Minor damage',
};

describe('entities', () => {
  it('lists the four importable entities and their columns in export order', () => {
    expect(ENTITIES).toEqual(['incidents', 'inspections', 'capas', 'observations']);
    expect(entityColumns('incidents')).toEqual(['entity', 'id', 'site', 'title', 'status', 'date', 'severity', 'owner', 'description']);
    expect(entityColumns('capas')).toEqual(['entity', 'id', 'site', 'title', 'status', 'date', 'due_date', 'severity', 'owner', 'description']);
  });
});

describe('incidents create', () => {
  it('accepts a valid record', async () => {
    expect(await problemsOf(INCIDENT)).toEqual([]);
  });

  it('requires site, title, status, date, severity, owner', async () => {
    const problems = await problemsOf({ description: 'x' });
    expect(fields(problems).sort()).toEqual(['date', 'owner', 'severity', 'site', 'status', 'title']);
    expect(problems.every((p) => p.message === 'is required' && p.line === 1)).toBe(true);
  });

  it('treats empty and whitespace-only values as missing', async () => {
    expect(fields(await problemsOf({ ...INCIDENT, site: '  ' }))).toEqual(['site']);
  });

  it('rejects an id on create (ids are server-assigned)', async () => {
    const problems = await problemsOf({ ...INCIDENT, id: 'inc_1' });
    expect(problems).toEqual([{ line: 1, field: 'id', message: expect.stringMatching(/must be empty for --mode create/) }]);
  });

  it('title at most 200 characters', async () => {
    expect(await problemsOf({ ...INCIDENT, title: 'x'.repeat(200) })).toEqual([]);
    expect(await problemsOf({ ...INCIDENT, title: 'x'.repeat(201) })).toEqual([
      { line: 1, field: 'title', message: 'must be at most 200 characters (got 201)' },
    ]);
  });

  it('status and severity enums', async () => {
    expect(await problemsOf({ ...INCIDENT, status: 'investigating', severity: 'critical' })).toEqual([]);
    const problems = await problemsOf({ ...INCIDENT, status: 'done', severity: 'severe' });
    expect(problems.map((p) => p.message)).toEqual([
      '"done" is not one of open|investigating|closed',
      '"severe" is not one of low|medium|high|critical',
    ]);
  });

  it('date must be a real calendar date', async () => {
    expect(await problemsOf({ ...INCIDENT, date: '2024-02-29' })).toEqual([]);
    for (const date of ['2023-02-29', '2025-13-01', '2025-04-31', '01/03/2025', '2025-3-1']) {
      expect(fields(await problemsOf({ ...INCIDENT, date })), date).toEqual(['date']);
    }
  });

  it('date must not be in the future (allowing for the earliest time zone)', async () => {
    expect(await problemsOf({ ...INCIDENT, date: '2025-03-11' })).toEqual([]); // already the 11th in UTC+14
    expect(await problemsOf({ ...INCIDENT, date: '2025-03-12' })).toEqual([
      { line: 1, field: 'date', message: '2025-03-12 is in the future' },
    ]);
  });

  it('owner must be an email', async () => {
    expect(await problemsOf({ ...INCIDENT, owner: "o'brien+ehs@sub.example.co.uk" })).toEqual([]);
    for (const owner of ['jane', 'jane@', '@example.com', 'jane@example', 'ja ne@example.com', 'jane@-bad.com', 'a..b@example.com']) {
      expect(fields(await problemsOf({ ...INCIDENT, owner })), owner).toEqual(['owner']);
    }
  });

  it('values must be strings in JSON', async () => {
    expect(await problemsOf({ ...INCIDENT, title: 42 })).toEqual([{ line: 1, field: 'title', message: 'must be a string (got number)' }]);
  });

  it('an entity column must match --entity (singular or plural)', async () => {
    expect(await problemsOf({ ...INCIDENT, entity: 'incident' })).toEqual([]);
    expect(await problemsOf({ ...INCIDENT, entity: 'incidents' })).toEqual([]);
    expect(fields(await problemsOf({ ...INCIDENT, entity: 'capas' }))).toEqual(['entity']);
  });

  it('reports an unknown JSON key once, at its first line', async () => {
    const text = [{ ...INCIDENT, colour: 'red' }, { ...INCIDENT, colour: 'blue' }].map((r) => JSON.stringify(r)).join('\n');
    const result = await validate(text, 'incidents', 'create', 'ndjson');
    expect(result.problems).toEqual([{ line: 1, field: 'colour', message: expect.stringMatching(/unknown field/) }]);
  });
});

describe('update and delete modes', () => {
  it('update requires an id and validates only the fields given', async () => {
    expect(await problemsOf({ id: 'inc_42', status: 'closed' }, 'incidents', 'update')).toEqual([]);
    expect(fields(await problemsOf({ status: 'closed' }, 'incidents', 'update'))).toEqual(['id']);
    expect(fields(await problemsOf({ id: 'inc_42', status: 'shut' }, 'incidents', 'update'))).toEqual(['status']);
  });

  it('id format', async () => {
    expect(fields(await problemsOf({ id: 'has space' }, 'incidents', 'update'))).toEqual(['id']);
    expect(fields(await problemsOf({ id: 'x'.repeat(129) }, 'incidents', 'update'))).toEqual(['id']);
  });

  it('delete requires only an id and ignores other known columns', async () => {
    expect(await problemsOf({ id: 'inc_1', status: 'nonsense', date: 'garbage' }, 'incidents', 'delete')).toEqual([]);
    expect(fields(await problemsOf({ title: 'x' }, 'incidents', 'delete'))).toEqual(['id']);
  });
});

describe('other entities', () => {
  const base = { site: 'S', title: 'T', owner: 'a@example.com' };

  it('inspections: own status enum; a scheduled date may be ahead, a completed one may not', async () => {
    const insp = { ...base, status: 'scheduled', date: '2025-06-01' };
    expect(await problemsOf(insp, 'inspections')).toEqual([]);
    expect(fields(await problemsOf({ ...insp, status: 'open' }, 'inspections'))).toEqual(['status']);
    expect(await problemsOf({ ...insp, status: 'completed' }, 'inspections')).toEqual([
      { line: 1, field: 'date', message: 'a completed inspection cannot be dated in the future (2025-06-01)' },
    ]);
  });

  it('capas: due_date required, real, not before the date raised; status enum', async () => {
    const capa = { ...base, status: 'in_progress', date: '2025-03-01', due_date: '2025-04-01' };
    expect(await problemsOf(capa, 'capas')).toEqual([]);
    expect(await problemsOf({ ...capa, status: 'verified', due_date: '2025-03-01' }, 'capas')).toEqual([]);
    expect(fields(await problemsOf({ ...capa, due_date: undefined }, 'capas'))).toEqual(['due_date']);
    expect(fields(await problemsOf({ ...capa, due_date: '2025-02-30' }, 'capas'))).toEqual(['due_date']);
    expect(await problemsOf({ ...capa, due_date: '2025-02-01' }, 'capas')).toEqual([
      { line: 1, field: 'due_date', message: 'due date 2025-02-01 is before the date raised 2025-03-01' },
    ]);
    expect(fields(await problemsOf({ ...capa, status: 'closed' }, 'capas'))).toEqual(['status']);
  });

  it('observations: owner optional (anonymous) but must be an email when given', async () => {
    const obs = { site: 'S', title: 'Blocked exit', status: 'open', date: '2025-03-09' };
    expect(await problemsOf(obs, 'observations')).toEqual([]);
    expect(fields(await problemsOf({ ...obs, owner: 'nope' }, 'observations'))).toEqual(['owner']);
    expect(fields(await problemsOf({ ...obs, status: 'investigating' }, 'observations'))).toEqual(['status']);
  });
});

describe('CSV files', () => {
  const header = 'entity,id,site,title,status,date,severity,owner,description';

  it('a valid export-shaped CSV passes and counts records', async () => {
    const text = `${header}\r\nincidents,,Plant A,"Spill, minor",open,2025-03-01,low,a@example.com,"line1\r\nline2"\r\nincidents,,B,T,closed,2025-01-01,medium,b@example.com,\r\n`;
    expect(await validate(text, 'incidents', 'create')).toEqual({ count: 2, problems: [], problemCount: 0 });
  });

  it('reports a missing required column once at the header line, not on every row', async () => {
    const text = 'title,status,date,severity,owner\nT,open,2025-03-01,low,a@example.com\nT,open,2025-03-01,low,a@example.com\n';
    const result = await validate(text, 'incidents', 'create');
    expect(result.problems).toEqual([{ line: 1, field: 'site', message: 'required column is missing from the header' }]);
    expect(result.count).toBe(2);
  });

  it('reports unknown and duplicate columns at the header', async () => {
    const result = await validate('id,id,colour\nx,x,red\n', 'incidents', 'delete');
    expect(result.problems).toEqual([
      { line: 1, field: 'id', message: 'column appears more than once in the header' },
      { line: 1, field: 'colour', message: expect.stringMatching(/^unknown column/) },
    ]);
  });

  it('header problems are reported for a header-only file too', async () => {
    const result = await validate('id,colour\n', 'incidents', 'delete');
    expect(result).toMatchObject({ count: 0, problemCount: 1 });
  });

  it('row problems carry the physical line where the row starts', async () => {
    const text = `${header}\n,,A,"multi\nline title",open,2025-03-01,low,a@example.com,\n\n,,A,T,open,2025-03-01,bad,a@example.com,\n`;
    const result = await validate(text, 'incidents', 'create');
    expect(result.problems).toEqual([{ line: 5, field: 'severity', message: '"bad" is not one of low|medium|high|critical' }]);
  });

  it('a row with the wrong field count is reported and not checked further', async () => {
    const result = await validate(`${header}\nincidents,,A\n`, 'incidents', 'create');
    expect(result.problems).toEqual([{ line: 2, message: 'row has 3 fields but the header has 9' }]);
  });

  it('a fatal CSV error becomes the last problem', async () => {
    const result = await validate(`id\nok\n"open\n`, 'incidents', 'delete');
    expect(result.count).toBe(1);
    expect(result.problems).toEqual([{ line: 3, message: expect.stringMatching(/^cannot parse CSV/) }]);
  });

  it('keeps at most 1000 problems but counts them all', async () => {
    const rows = Array.from({ length: 1500 }, () => ',,A,T,open,2025-03-01,low,not-an-email,').join('\n');
    const result = await validate(`${header}\n${rows}\n`, 'incidents', 'create');
    expect(result.count).toBe(1500);
    expect(result.problemCount).toBe(1500);
    expect(result.problems).toHaveLength(1000);
    expect(result.problems[999]!.line).toBe(1001);
  });

  it('validateRecordFile reads the file and picks the format from the extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qehs-rec-'));
    const file = join(dir, 'deletes.jsonl');
    writeFileSync(file, '{"id":"a"}\n{"id":""}\n');
    const result = await validateRecordFile(file, { entity: 'capas', mode: 'delete', now: NOW });
    expect(result).toEqual({ count: 2, problems: [{ line: 2, field: 'id', message: 'is required' }], problemCount: 1 });
  });
});
