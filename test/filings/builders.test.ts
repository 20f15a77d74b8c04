import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildCsrdPackage, buildCsrdReport, ESRS_ENTRY_POINT, LEI_SCHEME, REPORT_PACKAGE_TYPE } from '../../src/sandbox/filings/csrd.js';
import { ESTABLISHMENTS, findEstablishment, oshaCaseOf, osha300aInputFor } from '../../src/sandbox/filings/osha-cases.js';
import { buildOsha300aRow, OSHA_300A_COLUMNS, toItaCsv, validateOsha300a } from '../../src/sandbox/filings/osha300a.js';
import { buildTriSubmission, toTriXml, TRI_CHEMICALS, TRI_FACILITIES, triFormFor } from '../../src/sandbox/filings/tri.js';
import { generateTenantData, type TenantRecord } from '../../src/sandbox/tenant-data.js';
import { validateCasNumber, validateLei, validateTrifid } from '../../src/sdk/validation/identifiers.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const data = generateTenantData('acme', 40);
const LEI = '529900T8BM49AURSDO55';

const incident = (patch: Partial<TenantRecord>): TenantRecord => ({
  entity: 'incidents',
  id: 'INC-0001',
  site: 'Austin, TX Distribution',
  title: 'Hand laceration',
  status: 'closed',
  date: '2025-03-01',
  severity: 'medium',
  owner: 'Li Wei',
  description: '',
  ...patch,
});

describe('OSHA 300A from tenant incidents', () => {
  it('classifies incidents deterministically: first aid and near misses are not cases', () => {
    expect(oshaCaseOf(incident({ severity: 'low' }))).toBeUndefined();
    expect(oshaCaseOf(incident({ title: 'Forklift near miss', severity: 'critical' }))).toBeUndefined();
    expect(oshaCaseOf(incident({ severity: 'medium' }))).toEqual({ outcome: 'other_recordable', type: 'injury' });
    expect(oshaCaseOf(incident({ severity: 'high', title: 'Hydraulic oil spill' }))).toMatchObject({ outcome: 'job_transfer', type: 'skin_disorder' });
    const critical = oshaCaseOf(incident({ severity: 'critical' }))!;
    expect(critical.outcome).toBe('days_away');
    expect(critical.daysAway).toBeGreaterThan(0);
    expect(oshaCaseOf(incident({ severity: 'critical' }))).toEqual(critical);
  });

  it('EST-001 builds a valid ITA row from only its own site and year', () => {
    const est = findEstablishment('EST-001')!;
    const input = osha300aInputFor(data, est, 2025);
    const expected = data.incidents.filter((i) => i.site === 'Austin, TX Distribution' && i.date.startsWith('2025-')).map(oshaCaseOf).filter(Boolean);
    expect(input.cases).toHaveLength(expected.length);
    expect(input.cases.length).toBeGreaterThan(0);
    const row = buildOsha300aRow(input);
    expect(validateOsha300a(row, { now: NOW })).toEqual([]);
    expect(row.year_filing_for).toBe(2025);
  });

  it('the ITA CSV has the 28 columns in order and one row', () => {
    const row = buildOsha300aRow(osha300aInputFor(data, findEstablishment('EST-001')!, 2025));
    const rows = parse(toItaCsv([row])) as string[][];
    expect(OSHA_300A_COLUMNS).toHaveLength(28);
    expect(rows[0]).toEqual([...OSHA_300A_COLUMNS]);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toHaveLength(28);
  });

  it('EST-BAD breaks the employees-vs-cases rule whatever its data', () => {
    const est = findEstablishment('EST-BAD')!;
    for (const tenantData of [data, generateTenantData('globex', 3)]) {
      const problems = validateOsha300a(buildOsha300aRow(osha300aInputFor(tenantData, est, 2025)), { now: NOW });
      expect(problems.map((p) => p.field)).toContain('annual_average_employees');
    }
    expect(ESTABLISHMENTS.map((e) => e.id)).toEqual(['EST-001', 'EST-BAD']);
  });
});

describe('EPA TRI submission', () => {
  const facility = TRI_FACILITIES[0]!;

  it('catalog identifiers are valid', () => {
    for (const c of TRI_CHEMICALS) expect(validateCasNumber(c.cas), c.cas).toBeNull();
    for (const f of TRI_FACILITIES) expect(validateTrifid(f.trifid)).toBeNull();
  });

  it('chooses Form A only for small non-PBT amounts', () => {
    const lead = TRI_CHEMICALS.find((c) => c.name === 'Lead')!;
    const toluene = TRI_CHEMICALS.find((c) => c.name === 'Toluene')!;
    expect(triFormFor(lead, 10, 10)).toBe('R');
    expect(triFormFor(toluene, 5_000, 1_000_000)).toBe('A');
    expect(triFormFor(toluene, 5_001, 10)).toBe('R');
    expect(triFormFor(toluene, 10, 1_000_001)).toBe('R');
  });

  it("reports the facility's chemicals by default, with releases only on Form R", () => {
    const built = buildTriSubmission({ tenant: 'acme', trifid: facility.trifid, year: 2025 });
    if (!('submission' in built)) throw new Error('expected a submission');
    const reports = built.submission.reports;
    expect(reports.map((r) => r.chemical.cas)).toEqual([...facility.chemicals]);
    expect(reports.find((r) => r.chemical.name === 'Lead')!.form).toBe('R');
    expect(reports.find((r) => r.chemical.name === 'Toluene')!.form).toBe('R');
    expect(reports.find((r) => r.chemical.name === 'Methanol')!.form).toBe('A');
    for (const r of reports) {
      if (r.form === 'R') {
        const { fugitiveAir, stackAir, water, land, offSiteTransfers } = r.releases!;
        expect(fugitiveAir + stackAir + water + land + offSiteTransfers).toBe(r.reportableLb);
      } else expect(r.releases).toBeUndefined();
    }
    const xml = toTriXml(built.submission, NOW);
    expect(xml).toContain(`<TRIFID>${facility.trifid}</TRIFID>`);
    expect(xml).toContain('reportingYear="2025"');
    expect(xml.match(/<ChemicalReport form="[RA]">/g)).toHaveLength(reports.length);
    expect(xml.match(/<OnSiteReleases/g)).toHaveLength(reports.filter((r) => r.form === 'R').length);
    expect(xml).toContain('Demo Industries, Inc.');
  });

  it('names unregistered facilities and unlisted chemicals', () => {
    expect(buildTriSubmission({ tenant: 'acme', trifid: '10001ABCDE12345', year: 2025 })).toEqual({
      problems: [{ field: 'facility', message: expect.stringContaining('10001ABCDE12345') }],
    });
    const built = buildTriSubmission({ tenant: 'acme', trifid: facility.trifid, year: 2025, chemicals: ['108-88-3', '7732-18-5'] });
    expect(built).toEqual({ problems: [{ field: 'chemicals', message: '7732-18-5 is not a TRI-listed chemical' }] });
  });
});

describe('CSRD XBRL report package', () => {
  const report = buildCsrdReport({ tenant: 'acme', lei: LEI, year: 2025 });
  const entries = unzipSync(buildCsrdPackage(report, NOW));
  const root = `${LEI}-2025-esrs`;

  it('has one top-level folder with META-INF/reportPackage.json and one inline XBRL report', () => {
    expect(validateLei(LEI)).toBeNull();
    expect(Object.keys(entries).sort()).toEqual([`${root}/META-INF/reportPackage.json`, `${root}/reports/${root}.xhtml`]);
    expect(JSON.parse(strFromU8(entries[`${root}/META-INF/reportPackage.json`]!))).toEqual({
      documentInfo: { documentType: REPORT_PACKAGE_TYPE },
    });
    expect(REPORT_PACKAGE_TYPE).toBe('https://xbrl.org/report-package/2023/xbri');
  });

  it('the report references the ESRS taxonomy and identifies the entity by LEI', () => {
    const xhtml = strFromU8(entries[`${root}/reports/${root}.xhtml`]!);
    expect(xhtml).toContain('<ix:header>');
    expect(xhtml).toContain(`<link:schemaRef xlink:type="simple" xlink:href="${ESRS_ENTRY_POINT}"/>`);
    expect(xhtml).toContain(`<xbrli:identifier scheme="${LEI_SCHEME}">${LEI}</xbrli:identifier>`);
    expect(LEI_SCHEME).toBe('http://standards.iso.org/iso/17442');
    expect(xhtml).toMatch(/<ix:nonFraction name="esrs:GrossScope1GreenhouseGasEmissions" contextRef="FY2025" unitRef="tCO2e"/);
    expect(xhtml.match(/<ix:nonFraction /g)).toHaveLength(report.facts.length);
  });

  it('totals add up and figures are deterministic', () => {
    const value = (suffix: string) => report.facts.find((f) => f.concept.endsWith(suffix))!.value;
    expect(value('TotalGHGEmissionsMarketBased')).toBe(
      value('GrossScope1GreenhouseGasEmissions') + value('GrossMarketBasedScope2GreenhouseGasEmissions') + value('GrossScope3GreenhouseGasEmissions'),
    );
    expect(buildCsrdReport({ tenant: 'acme', lei: LEI, year: 2025 })).toEqual(report);
  });
});
