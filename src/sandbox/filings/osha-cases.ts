// The sandbox tenant's OSHA establishments, and the recordable cases derived from its incident records.
import { hashOf, type TenantData, type TenantRecord } from '../tenant-data.js';
import { sizeCodeFor, type Osha300aEstablishment, type Osha300aInput, type Osha300Case, type Osha300CaseType } from './osha300a.js';

export interface SandboxEstablishment {
  id: string;
  establishment: Osha300aEstablishment;
  /** Tenant sites whose incidents are this establishment's OSHA 300 log. */
  sites: readonly string[];
  /** Headcount and hours for the year, given the year's recordable cases. */
  employment(cases: readonly Osha300Case[]): { annualAverageEmployees: number; totalHoursWorked: number };
}

const COMPANY = { companyName: 'QEHS Demo Industries, Inc.', ein: '47-1234567', establishmentType: 1 as const };

/**
 * EST-001 files cleanly. EST-BAD's HR feed is broken: its average headcount equals its case count,
 * which breaks the ITA rule "annual average employees must be greater than the number of cases".
 */
export const ESTABLISHMENTS: readonly SandboxEstablishment[] = [
  {
    id: 'EST-001',
    establishment: {
      ...COMPANY,
      name: 'Austin Distribution Center',
      streetAddress: '1200 E Stassney Ln',
      city: 'Austin',
      state: 'TX',
      zip: '78744',
      naicsCode: '493110',
      industryDescription: 'General warehousing and storage',
      size: sizeCodeFor(160),
    },
    sites: ['Austin, TX Distribution'],
    employment: () => ({ annualAverageEmployees: 142, totalHoursWorked: 291_500 }),
  },
  {
    id: 'EST-BAD',
    establishment: {
      ...COMPANY,
      name: 'Reno Returns Depot',
      streetAddress: '455 Gentry Way',
      city: 'Reno',
      state: 'NV',
      zip: '89502',
      naicsCode: '493110',
      industryDescription: 'Returns processing warehouse',
      size: sizeCodeFor(15),
    },
    sites: ['Lyon Depot', 'Basel Warehouse'],
    employment: (cases) => ({ annualAverageEmployees: cases.length, totalHoursWorked: 24_000 }),
  },
];

export function findEstablishment(id: string): SandboxEstablishment | undefined {
  return ESTABLISHMENTS.find((e) => e.id === id);
}


/** Case type from what happened (title); a near miss hurt nobody and is not a case at all. */
function caseTypeOf(incident: TenantRecord): Osha300CaseType | undefined {
  if (/near miss/i.test(incident.title)) return undefined;
  if (/oil|chemical splash to skin/i.test(incident.title)) return 'skin_disorder';
  return 'injury';
}

/**
 * Deterministic OSHA classification of one incident: low severity is first aid (not recordable);
 * medium = other recordable; high = job transfer/restriction; critical = days away from work.
 */
export function oshaCaseOf(incident: TenantRecord): Osha300Case | undefined {
  const type = caseTypeOf(incident);
  if (!type || incident.severity === 'low') return undefined;
  const h = hashOf(incident.id);
  switch (incident.severity) {
    case 'medium':
      return { outcome: 'other_recordable', type };
    case 'high':
      return { outcome: 'job_transfer', type, daysRestricted: 1 + (h % 20) };
    default:
      return { outcome: 'days_away', type, daysAway: 1 + (h % 45), daysRestricted: h % 7 };
  }
}

/** The ITA builder input for one establishment and calendar year, from the tenant's incidents. */
export function osha300aInputFor(data: TenantData, est: SandboxEstablishment, year: number): Osha300aInput {
  const cases = data.incidents
    .filter((i) => est.sites.includes(i.site) && i.date.startsWith(`${year}-`))
    .map(oshaCaseOf)
    .filter((c): c is Osha300Case => c !== undefined);
  return { establishment: est.establishment, year, cases, ...est.employment(cases) };
}
