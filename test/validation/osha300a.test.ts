import { describe, it, expect } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  OSHA_300A_COLUMNS,
  buildOsha300aRow,
  validateOsha300a,
  toItaCsv,
  sizeCodeFor,
  type Osha300aInput,
  type Osha300aRow,
} from '../../src/sandbox/filings/osha300a.js';

const NOW = new Date('2025-02-15T00:00:00Z');

const INPUT: Osha300aInput = {
  establishment: {
    name: 'Plant A',
    ein: '12-3456789',
    companyName: 'Acme Manufacturing, Inc.',
    streetAddress: '1 Industrial Way',
    city: 'Springfield',
    state: 'il',
    zip: '62701-1234',
    naicsCode: '332710',
    industryDescription: 'Machine shops',
    size: 22,
    establishmentType: 1,
  },
  year: 2024,
  annualAverageEmployees: 120,
  totalHoursWorked: 240_000,
  cases: [
    { outcome: 'days_away', type: 'injury', daysAway: 200, daysRestricted: 10 },
    { outcome: 'job_transfer', type: 'skin_disorder', daysRestricted: 5 },
    { outcome: 'other_recordable', type: 'hearing_loss' },
    { outcome: 'days_away', type: 'respiratory_condition', daysAway: 3, daysRestricted: 2 },
  ],
};

const validRow = () => buildOsha300aRow(INPUT);
const check = (patch: Partial<Record<keyof Osha300aRow, unknown>>) =>
  validateOsha300a({ ...validRow(), ...patch }, { now: NOW });
const fieldsOf = (patch: Partial<Record<keyof Osha300aRow, unknown>>) => check(patch).map((p) => p.field);

describe('buildOsha300aRow', () => {
  it('summarises cases into totals, capping counted days at 180 per case', () => {
    const row = validRow();
    expect(row).toMatchObject({
      ein: '123456789',
      state: 'IL',
      zip: '627011234',
      no_injuries_illnesses: 1,
      total_deaths: 0,
      total_dafw_cases: 2,
      total_djtr_cases: 1,
      total_other_cases: 1,
      total_dafw_days: 180 + 3, // 200 away capped at 180, leaving 0 restricted days for that case
      total_djtr_days: 5 + 2,
      total_injuries: 1,
      total_skin_disorders: 1,
      total_respiratory_conditions: 1,
      total_hearing_loss: 1,
      total_poisonings: 0,
      total_other_illnesses: 0,
      change_reason: '',
    });
    expect(validateOsha300a(row, { now: NOW })).toEqual([]);
  });

  it('a year without cases is a valid "no injuries" summary', () => {
    const row = buildOsha300aRow({ ...INPUT, cases: [] });
    expect(row.no_injuries_illnesses).toBe(2);
    expect(validateOsha300a(row, { now: NOW })).toEqual([]);
  });

  it('sizeCodeFor maps peak employment to ITA size codes', () => {
    expect([5, 19, 20, 99, 100, 249, 250].map(sizeCodeFor)).toEqual([1, 1, 21, 21, 22, 22, 3]);
  });
});

describe('validateOsha300a', () => {
  it('accepts string values as parsed from a CSV', () => {
    const asStrings = Object.fromEntries(Object.entries(validRow()).map(([k, v]) => [k, String(v)]));
    expect(validateOsha300a(asStrings, { now: NOW })).toEqual([]);
  });

  it('size code must be 1|21|22|3', () => {
    for (const size of [1, 21, 22, 3]) expect(fieldsOf({ size })).toEqual([]);
    expect(fieldsOf({ size: 2 })).toEqual(['size']);
  });

  it('EIN must be 9 digits', () => {
    expect(fieldsOf({ ein: '12-3456789' })).toEqual(['ein']);
    expect(fieldsOf({ ein: '12345678' })).toEqual(['ein']);
    expect(fieldsOf({ ein: '' })).toEqual(['ein']);
  });

  it('zip must be 5 or 9 digits', () => {
    expect(fieldsOf({ zip: '02134' })).toEqual([]);
    expect(fieldsOf({ zip: '2134' })).toEqual(['zip']);
    expect(fieldsOf({ zip: '02134-1234' })).toEqual(['zip']);
  });

  it('state must be a 2-letter postal code', () => {
    expect(fieldsOf({ state: 'PR' })).toEqual([]);
    expect(fieldsOf({ state: 'Illinois' })).toEqual(['state']);
    expect(fieldsOf({ state: 'il' })).toEqual(['state']);
    expect(fieldsOf({ state: 'XX' })).toEqual(['state']);
  });

  it('establishment_type must be 1|2|3', () => {
    expect(fieldsOf({ establishment_type: 3 })).toEqual([]);
    expect(fieldsOf({ establishment_type: 4 })).toEqual(['establishment_type']);
  });

  it('naics must be 6 digits in a real sector', () => {
    expect(fieldsOf({ naics_code: '33271' })).toEqual(['naics_code']);
    expect(fieldsOf({ naics_code: '992710' })).toEqual(['naics_code']);
  });

  it('required text fields and their limits', () => {
    expect(fieldsOf({ establishment_name: '', city: ' ' })).toEqual(['establishment_name', 'city']);
    expect(fieldsOf({ company_name: 'x'.repeat(101) })).toEqual(['company_name']);
    expect(fieldsOf({ industry_description: 'x'.repeat(301) })).toEqual(['industry_description']);
  });

  it('year_filing_for: 4 digits, not in the future', () => {
    expect(fieldsOf({ year_filing_for: 2025 })).toEqual([]);
    expect(check({ year_filing_for: 2026 })).toEqual([{ field: 'year_filing_for', message: '2026 is in the future' }]);
    expect(fieldsOf({ year_filing_for: 24 })).toEqual(['year_filing_for']);
    expect(fieldsOf({ year_filing_for: 2010 })).toEqual(['year_filing_for']);
  });

  it('no_injuries_illnesses must be 1|2 and agree with the totals', () => {
    expect(fieldsOf({ no_injuries_illnesses: 3 })).toEqual(['no_injuries_illnesses']);
    expect(check({ no_injuries_illnesses: 2 })).toEqual([
      { field: 'no_injuries_illnesses', message: '2 (no injuries or illnesses) but the case or day totals are not all zero' },
    ]);
    const empty = buildOsha300aRow({ ...INPUT, cases: [] });
    expect(validateOsha300a({ ...empty, no_injuries_illnesses: 1 }, { now: NOW }).map((p) => p.field)).toEqual(['no_injuries_illnesses']);
  });

  it('cases by outcome must equal cases by type', () => {
    expect(check({ total_poisonings: 1 })).toEqual([{ field: 'case_totals', message: expect.stringMatching(/\(4\) must equal .*\(5\)/) }]);
  });

  it('annual_average_employees > 0 and greater than the number of cases', () => {
    expect(fieldsOf({ annual_average_employees: 0 })).toEqual(['annual_average_employees']);
    expect(fieldsOf({ annual_average_employees: 5, total_hours_worked: 9000 })).toEqual([]);
    expect(fieldsOf({ annual_average_employees: 4, total_hours_worked: 9000 })).toEqual(['annual_average_employees']);
  });

  it('total_hours_worked > 0 and below employees x 8760', () => {
    expect(fieldsOf({ total_hours_worked: 0 })).toEqual(['total_hours_worked']);
    expect(fieldsOf({ total_hours_worked: 120 * 8760 - 1 })).toEqual([]);
    expect(fieldsOf({ total_hours_worked: 120 * 8760 })).toEqual(['total_hours_worked']);
  });

  it('counts must be whole numbers >= 0', () => {
    expect(fieldsOf({ total_deaths: -1 })).toContain('total_deaths');
    expect(fieldsOf({ total_hours_worked: '1.5' })).toEqual(['total_hours_worked']);
    expect(fieldsOf({ total_djtr_days: undefined })).toEqual(['total_djtr_days']);
  });

  it('days away: > 0 iff cases > 0, and at least one day per case', () => {
    expect(check({ total_dafw_days: 0 })).toEqual([
      { field: 'total_dafw_days', message: 'must be greater than 0 when there are days-away-from-work cases' },
    ]);
    expect(fieldsOf({ total_dafw_days: 1 })).toEqual(['total_dafw_days']); // 2 cases, 1 day
    expect(fieldsOf({ total_dafw_days: 2 })).toEqual([]);
    const noDafw = buildOsha300aRow({ ...INPUT, cases: [{ outcome: 'other_recordable', type: 'injury' }] });
    expect(validateOsha300a({ ...noDafw, total_dafw_days: 4 }, { now: NOW })).toEqual([
      { field: 'total_dafw_days', message: 'must be 0 when there are no days-away-from-work cases' },
    ]);
  });

  it('job transfer days: same rules', () => {
    expect(fieldsOf({ total_djtr_days: 0 })).toEqual(['total_djtr_days']);
    const noDjtr = buildOsha300aRow({ ...INPUT, cases: [{ outcome: 'other_recordable', type: 'injury' }] });
    expect(validateOsha300a({ ...noDjtr, total_djtr_days: 1 }, { now: NOW }).map((p) => p.field)).toEqual(['total_djtr_days']);
  });
});

describe('toItaCsv', () => {
  it('writes the 28-column header and quotes values with commas', () => {
    const csv = toItaCsv([validRow(), buildOsha300aRow({ ...INPUT, cases: [] })]);
    const [header, ...rows] = parse(csv) as string[][];
    expect(OSHA_300A_COLUMNS).toHaveLength(28);
    expect(header).toEqual([...OSHA_300A_COLUMNS]);
    expect(rows).toHaveLength(2);
    expect(rows[0]![OSHA_300A_COLUMNS.indexOf('company_name')]).toBe('Acme Manufacturing, Inc.');
    expect(rows[0]![OSHA_300A_COLUMNS.indexOf('zip')]).toBe('627011234');
    expect(rows[1]![OSHA_300A_COLUMNS.indexOf('no_injuries_illnesses')]).toBe('2');
    expect(csv).toContain('"Acme Manufacturing, Inc."');
  });
});
