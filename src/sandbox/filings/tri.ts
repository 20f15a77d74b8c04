// EPA Toxics Release Inventory (TRI) submission as the sandbox builds it: one XML document per facility and year
// with a Form R (full release report) or Form A (certification statement) per chemical.
//
// Layout (a simplified, documented stand-in for the TRI-MEweb / CDX XML, not the official schema):
//   <TRISubmission xmlns="urn:qehs:sandbox:tri:1" reportingYear="YYYY">
//     <Facility> TRIFID, name, address, parent company, NAICS </Facility>
//     <ChemicalReport form="R|A"> CAS, name, PBT flag, annual reportable amount (lb);
//       Form R only: releases by medium (lb) and off-site transfers (lb) </ChemicalReport> ...
//     <Certification> name, title, date </Certification>
//   </TRISubmission>
// Form A eligibility (40 CFR 372.27): not a PBT chemical, annual reportable amount <= 5,000 lb and amount
// manufactured, processed or otherwise used <= 1,000,000 lb. Otherwise Form R.
import { hashOf } from '../tenant-data.js';

export const FORM_A_MAX_REPORTABLE_LB = 5_000;
export const FORM_A_MAX_USED_LB = 1_000_000;

export interface TriChemical {
  cas: string;
  name: string;
  /** Persistent, bioaccumulative and toxic: always Form R. */
  pbt: boolean;
  /** Typical annual reportable amount at the sandbox facility (lb), before per-year variation. */
  typicalReportableLb: number;
  typicalUsedLb: number;
}

/** TRI-listed chemicals the sandbox knows. 7732-18-5 (water) is a valid CAS number that is not listed. */
export const TRI_CHEMICALS: readonly TriChemical[] = [
  { cas: '108-88-3', name: 'Toluene', pbt: false, typicalReportableLb: 12_000, typicalUsedLb: 180_000 },
  { cas: '1330-20-7', name: 'Xylene (mixed isomers)', pbt: false, typicalReportableLb: 2_500, typicalUsedLb: 60_000 },
  { cas: '67-56-1', name: 'Methanol', pbt: false, typicalReportableLb: 3_000, typicalUsedLb: 95_000 },
  { cas: '7664-41-7', name: 'Ammonia', pbt: false, typicalReportableLb: 8_000, typicalUsedLb: 40_000 },
  { cas: '7439-92-1', name: 'Lead', pbt: true, typicalReportableLb: 40, typicalUsedLb: 1_200 },
  { cas: '50-00-0', name: 'Formaldehyde', pbt: false, typicalReportableLb: 900, typicalUsedLb: 30_000 },
];

export interface TriFacility {
  trifid: string;
  name: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  parentCompany: string;
  naics: string;
  /** Chemicals reported when the request names none. */
  chemicals: readonly string[];
}

/** Facilities registered with TRI in the sandbox. */
export const TRI_FACILITIES: readonly TriFacility[] = [
  {
    trifid: '78744QHSDS1200E',
    name: 'QEHS Demo Solvents Plant',
    street: '1200 E Stassney Ln',
    city: 'Austin',
    state: 'TX',
    zip: '78744',
    parentCompany: 'QEHS Demo Industries, Inc.',
    naics: '325199',
    chemicals: ['108-88-3', '1330-20-7', '67-56-1', '7439-92-1'],
  },
];

export interface TriProblem {
  field: string;
  message: string;
}

export interface TriChemicalReport {
  chemical: TriChemical;
  form: 'R' | 'A';
  reportableLb: number;
  usedLb: number;
  /** Form R only. */
  releases?: { fugitiveAir: number; stackAir: number; water: number; land: number; offSiteTransfers: number };
}

export interface TriSubmission {
  facility: TriFacility;
  year: number;
  reports: TriChemicalReport[];
}


/** Form A when eligible, else Form R. */
export function triFormFor(chemical: TriChemical, reportableLb: number, usedLb: number): 'R' | 'A' {
  return !chemical.pbt && reportableLb <= FORM_A_MAX_REPORTABLE_LB && usedLb <= FORM_A_MAX_USED_LB ? 'A' : 'R';
}

/**
 * The submission for a facility and year, or the problems that stop it (unregistered facility,
 * chemicals not on the TRI list). Quantities vary deterministically by tenant, chemical and year.
 */
export function buildTriSubmission(args: {
  tenant: string;
  trifid: string;
  year: number;
  chemicals?: readonly string[];
}): { submission: TriSubmission } | { problems: TriProblem[] } {
  const facility = TRI_FACILITIES.find((f) => f.trifid === args.trifid);
  if (!facility) return { problems: [{ field: 'facility', message: `${args.trifid} is not a TRI facility registered for this tenant` }] };
  const problems: TriProblem[] = [];
  const reports: TriChemicalReport[] = [];
  for (const cas of args.chemicals?.length ? args.chemicals : facility.chemicals) {
    const chemical = TRI_CHEMICALS.find((c) => c.cas === cas);
    if (!chemical) {
      problems.push({ field: 'chemicals', message: `${cas} is not a TRI-listed chemical` });
      continue;
    }
    const h = hashOf(`${args.tenant}|${facility.trifid}|${cas}|${args.year}`);
    const vary = (lb: number, salt: number) => Math.max(1, Math.round(lb * (0.8 + (((h >>> salt) % 41) / 100))));
    const reportableLb = vary(chemical.typicalReportableLb, 0);
    const usedLb = vary(chemical.typicalUsedLb, 8);
    const form = triFormFor(chemical, reportableLb, usedLb);
    const report: TriChemicalReport = { chemical, form, reportableLb, usedLb };
    if (form === 'R') {
      // Split the reportable amount over media; the rest goes off site.
      const fugitiveAir = Math.round(reportableLb * 0.35);
      const stackAir = Math.round(reportableLb * 0.25);
      const water = Math.round(reportableLb * 0.05);
      const land = Math.round(reportableLb * 0.05);
      report.releases = { fugitiveAir, stackAir, water, land, offSiteTransfers: reportableLb - fugitiveAir - stackAir - water - land };
    }
    reports.push(report);
  }
  return problems.length > 0 ? { problems } : { submission: { facility, year: args.year, reports } };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const el = (name: string, value: string | number, indent: string, attrs = '') =>
  `${indent}<${name}${attrs}>${escapeXml(String(value))}</${name}>`;

/** The submission as XML (see the layout at the top of this file). */
export function toTriXml(submission: TriSubmission, certifiedAt: Date): string {
  const f = submission.facility;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<TRISubmission xmlns="urn:qehs:sandbox:tri:1" reportingYear="${submission.year}">`,
    '  <Facility>',
    el('TRIFID', f.trifid, '    '),
    el('FacilityName', f.name, '    '),
    el('Street', f.street, '    '),
    el('City', f.city, '    '),
    el('State', f.state, '    '),
    el('ZIP', f.zip, '    '),
    el('ParentCompany', f.parentCompany, '    '),
    el('PrimaryNAICS', f.naics, '    '),
    '  </Facility>',
  ];
  for (const r of submission.reports) {
    lines.push(`  <ChemicalReport form="${r.form}">`);
    lines.push(el('CASNumber', r.chemical.cas, '    '), el('ChemicalName', r.chemical.name, '    '));
    lines.push(el('PBT', String(r.chemical.pbt), '    '));
    lines.push(el('AnnualReportableAmount', r.reportableLb, '    ', ' unit="lb"'));
    lines.push(el('AmountManufacturedProcessedOrUsed', r.usedLb, '    ', ' unit="lb"'));
    if (r.releases) {
      lines.push('    <OnSiteReleases unit="lb">');
      lines.push(el('FugitiveAir', r.releases.fugitiveAir, '      '), el('StackAir', r.releases.stackAir, '      '));
      lines.push(el('Water', r.releases.water, '      '), el('Land', r.releases.land, '      '));
      lines.push('    </OnSiteReleases>');
      lines.push(el('OffSiteTransfers', r.releases.offSiteTransfers, '    ', ' unit="lb"'));
    }
    lines.push('  </ChemicalReport>');
  }
  lines.push(
    '  <Certification>',
    el('Name', 'Sandbox Certifying Official', '    '),
    el('Title', 'EHS Director', '    '),
    el('Date', certifiedAt.toISOString().slice(0, 10), '    '),
    '  </Certification>',
    '</TRISubmission>',
    '',
  );
  return lines.join('\n');
}
