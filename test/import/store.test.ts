import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyImport, createImportOperation, type ImportParams } from '../../src/sandbox/operations/import.js';
import { generateTenantData } from '../../src/sandbox/tenant-data.js';
import { TenantStore } from '../../src/sandbox/tenant-store.js';

const ROWS = 5;

/** Parses an upload the way the server does. */
async function accept(store: TenantStore, body: string, query: Record<string, string>, contentType = 'text/csv') {
  const op = createImportOperation({ store });
  return op.upload!.accept(Readable.from([Buffer.from(body)]), { query, contentType, tenant: 'acme' });
}

async function staged(store: TenantStore, body: string, query: Record<string, string>, contentType?: string): Promise<ImportParams> {
  const v = await accept(store, body, query, contentType);
  if (!v.ok) throw new Error(`refused: ${v.field}: ${v.detail}`);
  return v.params;
}

const CREATE_CSV = 'site,title,status,date\r\nLyon Depot,Ladder fall,open,2025-02-03\r\nLyon Depot,"Spill, bay 4",open,2025-02-04\r\n';

describe('TenantStore', () => {
  it('starts from the generated data but never changes the shared generator cache', () => {
    const store = new TenantStore(ROWS);
    const data = store.get('acme');
    expect(data.incidents.map((r) => r.id)).toEqual(generateTenantData('acme', ROWS).incidents.map((r) => r.id));
    data.incidents[0]!.title = 'changed';
    expect(generateTenantData('acme', ROWS).incidents[0]!.title).not.toBe('changed');
    expect(store.get('acme')).toBe(data);
    expect(store.count('acme')).toBe(ROWS * 4);
  });

  it('a change that throws leaves the tenant untouched (all or nothing)', () => {
    const store = new TenantStore(ROWS);
    const before = store.get('acme').incidents;
    expect(() =>
      store.transact('acme', 'incidents', (records, newId) => {
        records.push({ ...records[0]!, id: newId() });
        records.splice(0, 2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.get('acme').incidents).toBe(before);
    expect(before).toHaveLength(ROWS);
  });
});

describe('import staging and applying', () => {
  it('creates rows with new ids (never reusing a deleted one) only when applied', async () => {
    const store = new TenantStore(ROWS);
    const params = await staged(store, CREATE_CSV, { entity: 'incidents', mode: 'create', format: 'csv' });
    expect(params.rowCount).toBe(2);
    expect(store.get('acme').incidents).toHaveLength(ROWS); // staged, not applied
    const outcome = applyImport(store, 'acme', params);
    expect(outcome).toMatchObject({ created: 2, updated: 0, deleted: 0, failed: 0, errorCount: 0, rows: 2 });
    const created = store.get('acme').incidents.slice(-2);
    expect(created.map((r) => [r.id, r.title])).toEqual([
      ['INC-0006', 'Ladder fall'],
      ['INC-0007', 'Spill, bay 4'],
    ]);

    applyImport(store, 'acme', await staged(store, 'id\nINC-0007\n', { entity: 'incidents', mode: 'delete' }));
    applyImport(store, 'acme', await staged(store, 'site,title,status,date\nX,Y,open,2025-01-01\n', { entity: 'incidents' }));
    expect(store.get('acme').incidents.at(-1)!.id).toBe('INC-0008');
  });

  it('reports not_found for unknown ids and applies the other rows', async () => {
    const store = new TenantStore(ROWS);
    const body = '{"id":"INC-0002","status":"closed"}\n{"id":"INC-4242","status":"closed"}\n';
    const outcome = applyImport(store, 'acme', await staged(store, body, { entity: 'incidents', mode: 'update' }, 'application/x-ndjson'));
    expect(outcome).toMatchObject({ updated: 1, failed: 1, errorCount: 1 });
    expect(outcome.errors).toEqual([{ line: 2, field: 'id', code: 'not_found', message: 'no incident with id INC-4242' }]);
    const updated = store.get('acme').incidents.find((r) => r.id === 'INC-0002')!;
    expect(updated.status).toBe('closed');
    expect(updated.title).toBe(generateTenantData('acme', ROWS).incidents[1]!.title); // empty = unchanged
  });

  it('deleting the same id twice: the second row is not_found', async () => {
    const store = new TenantStore(ROWS);
    const outcome = applyImport(store, 'acme', await staged(store, 'id\nINC-0001\nINC-0001\n', { entity: 'incidents', mode: 'delete' }));
    expect(outcome).toMatchObject({ deleted: 1, failed: 1 });
    expect(outcome.errors[0]).toMatchObject({ line: 3, code: 'not_found' });
    expect(store.get('acme').incidents.map((r) => r.id)).toEqual(['INC-0002', 'INC-0003', 'INC-0004', 'INC-0005']);
  });

  it('reports a duplicate title+date+site (existing or earlier in the file)', async () => {
    const store = new TenantStore(ROWS);
    const existing = store.get('acme').incidents[0]!;
    const body = [
      '[',
      JSON.stringify({ site: existing.site, title: existing.title.toUpperCase(), status: 'open', date: existing.date }) + ',',
      JSON.stringify({ site: 'A', title: 'New', status: 'open', date: '2025-01-01' }) + ',',
      JSON.stringify({ site: 'A', title: 'New', status: 'open', date: '2025-01-01' }),
      ']',
    ].join('\n');
    const outcome = applyImport(store, 'acme', await staged(store, body, { entity: 'incidents' }, 'application/json'));
    expect(outcome).toMatchObject({ created: 1, failed: 2 });
    expect(outcome.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'duplicate'],
      [4, 'duplicate'],
    ]);
    expect(outcome.errors[0]!.message).toContain(existing.id);
  });

  it('rows the server refuses while reading are failed rows, in line order with apply errors', async () => {
    const store = new TenantStore(ROWS);
    const body = 'id,status\nINC-0001,closed\n,closed\nINC-0999,closed\n"INC-0003",closed,extra\n';
    const outcome = applyImport(store, 'acme', await staged(store, body, { entity: 'incidents', mode: 'update' }));
    expect(outcome).toMatchObject({ updated: 1, failed: 3, errorCount: 3 });
    expect(outcome.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'invalid'],
      [4, 'not_found'],
      [5, 'invalid'],
    ]);
  });

  it('refuses bad query parameters and unreadable files as a whole', async () => {
    const store = new TenantStore(ROWS);
    expect(await accept(store, CREATE_CSV, { entity: 'widgets' })).toMatchObject({ ok: false, field: 'entity' });
    expect(await accept(store, CREATE_CSV, { entity: 'incidents', mode: 'upsert' })).toMatchObject({ ok: false, field: 'mode' });
    const broken = await accept(store, 'site,title\n"unclosed,x\n', { entity: 'incidents' });
    expect(broken).toMatchObject({ ok: false, field: 'body' });
    expect(!broken.ok && broken.detail).toMatch(/^line 2: cannot parse CSV/);
    expect(await accept(store, 'site,title\r\n', { entity: 'incidents' })).toMatchObject({ ok: false, detail: 'the file contains no records' });
  });

  it('a cancelled job produces nothing and applies nothing; duration grows with rows', async () => {
    const store = new TenantStore(ROWS);
    const op = createImportOperation({ store });
    const params = await staged(store, CREATE_CSV, { entity: 'incidents' });
    const job = { jobId: 'job-1', tenant: 'acme', params };
    expect(op.produce(job, { status: 'cancelled', progress: 50, finishedAt: new Date() })).toBeUndefined();
    expect(store.get('acme').incidents).toHaveLength(ROWS);
    expect(op.totalUnits(job)).toBe(2);
    expect(op.durationMs!(params, 1000)).toBe(1000);
    expect(op.durationMs!({ ...params, rowCount: 50_000 }, 1000)).toBe(5000);
    const produced = op.produce(job, { status: 'succeeded', progress: 100, finishedAt: new Date() });
    expect(produced).toMatchObject({ result: { created: 2 } });
    expect(store.get('acme').incidents).toHaveLength(ROWS + 2);
  });
});
