import { describe, expect, it } from 'vitest';
import { summarizeFiling } from '../../src/cli/commands/file.js';
import { createFilingOperation, type FilingParams } from '../../src/sandbox/operations/filing.js';
import type { Production, ProductionFailure } from '../../src/sandbox/operations/types.js';
import { generateTenantData } from '../../src/sandbox/tenant-data.js';
import { ValidationError } from '../../src/sdk/errors.js';
import type { HttpClient } from '../../src/sdk/http.js';
import { Filings, validateFilingRequest } from '../../src/sdk/operations/filings.js';

const op = createFilingOperation({ data: (t) => generateTenantData(t, 40) });
const FINISHED = new Date('2026-06-01T00:00:00Z');
const LEI = '529900T8BM49AURSDO55';

function run(body: Record<string, unknown>, status: 'succeeded' | 'cancelled' = 'succeeded') {
  const v = op.validate(body);
  if (!v.ok) throw new Error(`${v.field}: ${v.detail}`);
  return op.produce({ jobId: 'job-test1', tenant: 'acme', params: v.params }, { status, progress: 100, finishedAt: FINISHED });
}

describe('filing operation (sandbox)', () => {
  it('rejects malformed requests naming the field', () => {
    const field = (body: Record<string, unknown>) => {
      const v = op.validate(body);
      return v.ok ? undefined : v.field;
    };
    expect(field({ form: 'osha-300', year: 2025 })).toBe('form');
    expect(field({ form: 'osha-300a', year: '2025', establishment: 'EST-001' })).toBe('year');
    expect(field({ form: 'osha-300a', year: 2025 })).toBe('establishment');
    expect(field({ form: 'epa-tri', year: 2025, facility: '1234' })).toBe('facility');
    expect(field({ form: 'epa-tri', year: 2025, facility: '78744QHSDS1200E', chemicals: ['108-88-4'] })).toBe('chemicals');
    expect(field({ form: 'csrd-xbrl', year: 2025, entity: '529900T8BM49AURSDO56' })).toBe('entity');
    expect(field({ form: 'csrd-xbrl', year: 2025, entity: LEI, dryRun: 'yes' })).toBe('dryRun');
    expect(field({ form: 'csrd-xbrl', year: 2025, entity: LEI })).toBeUndefined();
  });

  it('a valid OSHA filing yields the CSV and a receipt', () => {
    const produced = run({ form: 'osha-300a', year: 2025, establishment: 'EST-001' }) as Production;
    expect(produced.file!.contentType).toMatch(/^text\/csv/);
    expect(produced.result).toMatchObject({
      form: 'osha-300a',
      year: 2025,
      establishment: 'EST-001',
      submissionId: 'sub-test1',
      receipt: { agency: 'OSHA', system: 'ITA', confirmationNumber: expect.stringMatching(/^ITA-2025-[0-9A-F]{8}$/) },
    });
  });

  it('an invalid OSHA filing fails with OSHA_300A_INVALID naming the field', () => {
    const produced = run({ form: 'osha-300a', year: 2025, establishment: 'EST-BAD' }) as ProductionFailure;
    expect(produced.error.code).toBe('OSHA_300A_INVALID');
    expect(produced.error.message).toMatch(/^annual_average_employees: /);
    const unknown = run({ form: 'osha-300a', year: 2025, establishment: 'EST-404' }) as ProductionFailure;
    expect(unknown.error.message).toContain('establishment: EST-404');
  });

  it('a dry run returns the verdict and no file, valid or not', () => {
    const bad = run({ form: 'osha-300a', year: 2025, establishment: 'EST-BAD', dryRun: true }) as Production;
    expect(bad.file).toBeUndefined();
    expect(bad.result).toMatchObject({ dryRun: true, valid: false, problems: [{ field: 'annual_average_employees' }] });
    const good = run({ form: 'epa-tri', year: 2025, facility: '78744QHSDS1200E', dryRun: true }) as Production;
    expect(good.result).toMatchObject({ dryRun: true, valid: true, problems: [] });
    expect(good.result.receipt).toBeUndefined();
  });

  it('TRI receipts carry a document control number per chemical; unlisted chemicals fail', () => {
    const produced = run({ form: 'epa-tri', year: 2025, facility: '78744QHSDS1200E', chemicals: ['108-88-3', '67-56-1'] }) as Production;
    const dcns = (produced.result.receipt as { documentControlNumbers: { cas: string; form: string; dcn: string }[] }).documentControlNumbers;
    expect(dcns.map((d) => [d.cas, d.form])).toEqual([['108-88-3', 'R'], ['67-56-1', 'A']]);
    for (const d of dcns) expect(d.dcn).toMatch(/^1325\d{9}$/);
    const failed = run({ form: 'epa-tri', year: 2025, facility: '78744QHSDS1200E', chemicals: ['7732-18-5'] }) as ProductionFailure;
    expect(failed.error).toMatchObject({ code: 'EPA_TRI_INVALID', message: 'chemicals: 7732-18-5 is not a TRI-listed chemical' });
  });

  it('a CSRD report for a year not yet over is rejected; cancelled filings leave nothing', () => {
    const failed = run({ form: 'csrd-xbrl', year: 2026, entity: LEI }) as ProductionFailure;
    expect(failed.error).toMatchObject({ code: 'CSRD_XBRL_INVALID', message: 'year: 2026 has not ended yet' });
    expect(run({ form: 'csrd-xbrl', year: 2025, entity: LEI }, 'cancelled')).toBeUndefined();
  });

  it('phase messages say what is happening', () => {
    const job = { jobId: 'job-x', tenant: 'acme', params: { form: 'epa-tri', year: 2025, chemicals: [], dryRun: false } as FilingParams };
    expect(op.message(job, { status: 'running', fraction: 0.9 })).toBe('Submitting to EPA CDX TRI-MEweb');
    expect(op.message({ ...job, params: { ...job.params, dryRun: true } }, { status: 'running', fraction: 0.9 })).toMatch(/^Validating/);
    expect(op.message(job, { status: 'cancelled', fraction: 0.5 })).toBe('Cancelled; nothing was filed');
  });
});

describe('SDK filings', () => {
  it('validates identifiers locally', () => {
    expect(validateFilingRequest({ form: 'epa-tri', year: 2025, facility: '78744QHSDS1200E', chemicals: ['108-88-3', '50-00-1'] })).toEqual([
      { field: 'chemicals', value: '50-00-1', message: expect.stringContaining('check digit') },
    ]);
    expect(validateFilingRequest({ form: 'csrd-xbrl', year: 2025, entity: 'ABC' }).map((p) => p.field)).toEqual(['entity']);
    expect(validateFilingRequest({ form: 'osha-300a', year: 2025, establishment: 'EST-001' })).toEqual([]);
  });

  it('start() throws ValidationError before any request', async () => {
    const http = new Proxy({}, { get: () => () => { throw new Error('no request may be sent'); } }) as unknown as HttpClient;
    const filings = new Filings(http);
    await expect(filings.start({ form: 'csrd-xbrl', year: 2025, entity: '529900T8BM49AURSDO56' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('summarizeFiling (CLI)', () => {
  const snapshot = (result: Record<string, unknown>) => ({ jobId: 'job-1', status: 'succeeded', enqueuedAt: '', result });

  it('prints the receipt, or the dry-run verdict with its problems', () => {
    const filed = summarizeFiling(
      snapshot({ form: 'osha-300a', year: 2025, submissionId: 'sub-1', receipt: { agency: 'OSHA', system: 'ITA', confirmationNumber: 'ITA-2025-AB', submittedAt: 'T' } }),
      'OSHA Form 300A',
    );
    expect(filed).toEqual(['Submission sub-1 filed.', 'Receipt: OSHA ITA confirmation ITA-2025-AB (submitted T)']);
    const dry = summarizeFiling(snapshot({ form: 'osha-300a', year: 2025, dryRun: true, valid: false, problems: [{ field: 'zip', message: 'bad' }] }), 'OSHA Form 300A');
    expect(dry[0]).toMatch(/would be rejected/);
    expect(dry[1]).toBe('  zip: bad');
    expect(summarizeFiling({ ...snapshot({ form: 'osha-300a' }), status: 'failed' }, 'x')).toEqual([]);
  });
});
