// OSHA Form 300A (Summary of Work-Related Injuries and Illnesses) as the OSHA Injury Tracking Application (ITA)
// accepts it in a CSV upload: one row per establishment and year.
//
// Layout: the 28 columns of the ITA "Establishment and Form 300A" file-upload data dictionary, in its order.
// Assumptions (from the ITA data dictionary as documented publicly; kept deliberately close to it):
// - size codes: 1 (<20 employees), 21 (20-99), 22 (100-249), 3 (250+) — the current codes (older files used 2 for 20-249).
// - establishment_type: 1 not government, 2 state government, 3 local government.
// - no_injuries_illnesses: 1 = had recordable cases, 2 = had none.
// - ein: 9 digits without a dash; required (company_name and ein are required since the 2024 collection).
// - text limits: establishment_name, company_name, street_address, city <= 100; industry_description <= 300.
// - year_filing_for: data collection began with calendar year 2016.
// - change_reason: free text, only needed when correcting a summary already submitted; not otherwise checked.
import { stringify } from 'csv-stringify/sync';

export const OSHA_300A_COLUMNS = [
  'establishment_name',
  'ein',
  'company_name',
  'street_address',
  'city',
  'state',
  'zip',
  'naics_code',
  'industry_description',
  'size',
  'establishment_type',
  'year_filing_for',
  'annual_average_employees',
  'total_hours_worked',
  'no_injuries_illnesses',
  'total_deaths',
  'total_dafw_cases',
  'total_djtr_cases',
  'total_other_cases',
  'total_dafw_days',
  'total_djtr_days',
  'total_injuries',
  'total_skin_disorders',
  'total_respiratory_conditions',
  'total_poisonings',
  'total_hearing_loss',
  'total_other_illnesses',
  'change_reason',
] as const;
export type Osha300aColumn = (typeof OSHA_300A_COLUMNS)[number];

export const OSHA_SIZE_CODES = [1, 21, 22, 3] as const;
export type OshaSizeCode = (typeof OSHA_SIZE_CODES)[number];
export type OshaEstablishmentType = 1 | 2 | 3;

/** One ITA 300A row. Text fields are strings (zip and ein keep leading zeros); codes and totals are numbers. */
export interface Osha300aRow {
  establishment_name: string;
  ein: string;
  company_name: string;
  street_address: string;
  city: string;
  state: string;
  zip: string;
  naics_code: string;
  industry_description: string;
  size: number;
  establishment_type: number;
  year_filing_for: number;
  annual_average_employees: number;
  total_hours_worked: number;
  no_injuries_illnesses: number;
  total_deaths: number;
  total_dafw_cases: number;
  total_djtr_cases: number;
  total_other_cases: number;
  total_dafw_days: number;
  total_djtr_days: number;
  total_injuries: number;
  total_skin_disorders: number;
  total_respiratory_conditions: number;
  total_poisonings: number;
  total_hearing_loss: number;
  total_other_illnesses: number;
  change_reason: string;
}

export interface Osha300aEstablishment {
  name: string;
  /** 9 digits, with or without the dash; the row gets the 9 digits. */
  ein: string;
  companyName: string;
  streetAddress: string;
  city: string;
  state: string;
  /** 5 or 9 digits; a ZIP+4 dash is removed. */
  zip: string;
  naicsCode: string;
  industryDescription?: string;
  /** Size code; see sizeCodeFor(peakEmployees). */
  size: OshaSizeCode;
  establishmentType: OshaEstablishmentType;
}

/** Most serious outcome of a recordable case (Form 300 columns G-J). */
export type Osha300Outcome = 'death' | 'days_away' | 'job_transfer' | 'other_recordable';
/** Case type (Form 300 column M). */
export type Osha300CaseType =
  | 'injury'
  | 'skin_disorder'
  | 'respiratory_condition'
  | 'poisoning'
  | 'hearing_loss'
  | 'other_illness';

/** A recordable case from the OSHA 300 log, as the sandbox derives it from an incident record. */
export interface Osha300Case {
  outcome: Osha300Outcome;
  type: Osha300CaseType;
  /** Days away from work (column K). */
  daysAway?: number;
  /** Days of job transfer or restriction (column L). */
  daysRestricted?: number;
}

export interface Osha300aInput {
  establishment: Osha300aEstablishment;
  year: number;
  annualAverageEmployees: number;
  totalHoursWorked: number;
  /** The year's recordable cases for this establishment. */
  cases: readonly Osha300Case[];
  changeReason?: string;
}

/** 29 CFR 1904.7(b)(3)(vii): counting of away + restricted days may stop at 180 per case. */
export const MAX_COUNTED_DAYS_PER_CASE = 180;

/** ITA size code for the establishment's peak employment during the year. */
export function sizeCodeFor(peakEmployees: number): OshaSizeCode {
  if (peakEmployees < 20) return 1;
  if (peakEmployees < 100) return 21;
  if (peakEmployees < 250) return 22;
  return 3;
}

const OUTCOME_COLUMN: Record<Osha300Outcome, Osha300aColumn> = {
  death: 'total_deaths',
  days_away: 'total_dafw_cases',
  job_transfer: 'total_djtr_cases',
  other_recordable: 'total_other_cases',
};

const TYPE_COLUMN: Record<Osha300CaseType, Osha300aColumn> = {
  injury: 'total_injuries',
  skin_disorder: 'total_skin_disorders',
  respiratory_condition: 'total_respiratory_conditions',
  poisoning: 'total_poisonings',
  hearing_loss: 'total_hearing_loss',
  other_illness: 'total_other_illnesses',
};

const OUTCOME_TOTALS = ['total_deaths', 'total_dafw_cases', 'total_djtr_cases', 'total_other_cases'] as const;
const TYPE_TOTALS = [
  'total_injuries',
  'total_skin_disorders',
  'total_respiratory_conditions',
  'total_poisonings',
  'total_hearing_loss',
  'total_other_illnesses',
] as const;
const COUNT_COLUMNS = [...OUTCOME_TOTALS, 'total_dafw_days', 'total_djtr_days', ...TYPE_TOTALS] as const;

/** Summarises a year's cases into one ITA 300A row (day counts capped at 180 per case). */
export function buildOsha300aRow(input: Osha300aInput): Osha300aRow {
  const e = input.establishment;
  const totals = Object.fromEntries(COUNT_COLUMNS.map((c) => [c, 0])) as Record<(typeof COUNT_COLUMNS)[number], number>;
  for (const c of input.cases) {
    totals[OUTCOME_COLUMN[c.outcome] as (typeof OUTCOME_TOTALS)[number]]++;
    totals[TYPE_COLUMN[c.type] as (typeof TYPE_TOTALS)[number]]++;
    const away = Math.min(Math.max(0, c.daysAway ?? 0), MAX_COUNTED_DAYS_PER_CASE);
    const restricted = Math.min(Math.max(0, c.daysRestricted ?? 0), MAX_COUNTED_DAYS_PER_CASE - away);
    totals.total_dafw_days += away;
    totals.total_djtr_days += restricted;
  }
  return {
    establishment_name: e.name,
    ein: e.ein.replace('-', ''),
    company_name: e.companyName,
    street_address: e.streetAddress,
    city: e.city,
    state: e.state.toUpperCase(),
    zip: e.zip.replace('-', ''),
    naics_code: e.naicsCode,
    industry_description: e.industryDescription ?? '',
    size: e.size,
    establishment_type: e.establishmentType,
    year_filing_for: input.year,
    annual_average_employees: input.annualAverageEmployees,
    total_hours_worked: input.totalHoursWorked,
    no_injuries_illnesses: input.cases.length > 0 ? 1 : 2,
    ...totals,
    change_reason: input.changeReason ?? '',
  };
}

// ------------------------------------------------------------------------------------------------ validation

export interface Osha300aProblem {
  field: string;
  message: string;
}

const US_STATES = new Set(
  (
    'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK ' +
    'OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI'
  ).split(' '),
);

/** NAICS 2022 sectors (first two digits of a valid code). */
const NAICS_SECTORS = new Set(
  '11 21 22 23 31 32 33 42 44 45 48 49 51 52 53 54 55 56 61 62 71 72 81 92'.split(' '),
);

const FIRST_ITA_YEAR = 2016;
const HOURS_PER_YEAR = 8760;

/**
 * Checks a 300A row against the ITA upload rules. Accepts a typed row or a row parsed from CSV (strings).
 * `now` decides what "future year" means. Cross-field rules run only on fields that are individually valid.
 * A rule across the case totals (outcomes vs types) is reported under the pseudo-field `case_totals`.
 */
export function validateOsha300a(
  row: Partial<Record<Osha300aColumn, unknown>>,
  options: { now?: Date } = {},
): Osha300aProblem[] {
  const now = options.now ?? new Date();
  const problems: Osha300aProblem[] = [];
  const report = (field: string, message: string) => problems.push({ field, message });

  const str = (field: Osha300aColumn): string => {
    const v = row[field];
    return v === undefined || v === null ? '' : String(v).trim();
  };
  const requiredText = (field: Osha300aColumn, max: number) => {
    const v = str(field);
    if (v === '') report(field, 'is required');
    else if (v.length > max) report(field, `must be at most ${max} characters (got ${v.length})`);
  };
  /** A whole number >= 0, or undefined (reported) when missing or not one. */
  const count = (field: Osha300aColumn): number | undefined => {
    const v = str(field);
    if (!/^\d+$/.test(v)) {
      report(field, v === '' ? 'is required' : `${JSON.stringify(v)} is not a whole number >= 0`);
      return undefined;
    }
    return Number(v);
  };
  const code = (field: Osha300aColumn, allowed: readonly number[]): number | undefined => {
    const v = str(field);
    if (!allowed.map(String).includes(v)) {
      report(field, `must be one of ${allowed.join('|')}${v === '' ? '' : ` (got ${JSON.stringify(v)})`}`);
      return undefined;
    }
    return Number(v);
  };

  // Establishment
  requiredText('establishment_name', 100);
  requiredText('company_name', 100);
  requiredText('street_address', 100);
  requiredText('city', 100);
  if (str('industry_description').length > 300) report('industry_description', 'must be at most 300 characters');
  if (!/^\d{9}$/.test(str('ein'))) report('ein', 'must be 9 digits without a dash');
  if (!/^[A-Z]{2}$/.test(str('state'))) report('state', 'must be a 2-letter uppercase postal code');
  else if (!US_STATES.has(str('state'))) report('state', `${str('state')} is not a US state or territory postal code`);
  if (!/^(\d{5}|\d{9})$/.test(str('zip'))) report('zip', 'must be 5 or 9 digits (no dash)');
  const naics = str('naics_code');
  if (!/^\d{6}$/.test(naics)) report('naics_code', 'must be a 6-digit NAICS code');
  else if (!NAICS_SECTORS.has(naics.slice(0, 2))) report('naics_code', `${naics} is not in a NAICS sector`);
  code('size', OSHA_SIZE_CODES);
  code('establishment_type', [1, 2, 3]);

  const yearText = str('year_filing_for');
  if (!/^\d{4}$/.test(yearText)) report('year_filing_for', 'must be a 4-digit year');
  else if (Number(yearText) > now.getUTCFullYear()) report('year_filing_for', `${yearText} is in the future`);
  else if (Number(yearText) < FIRST_ITA_YEAR) report('year_filing_for', `ITA collects data from ${FIRST_ITA_YEAR} on`);

  // Totals
  const employees = count('annual_average_employees');
  const hours = count('total_hours_worked');
  const hadCases = code('no_injuries_illnesses', [1, 2]);
  const t: Partial<Record<Osha300aColumn, number>> = {};
  for (const c of COUNT_COLUMNS) t[c] = count(c);
  const sum = (cols: readonly Osha300aColumn[]) =>
    cols.every((c) => t[c] !== undefined) ? cols.reduce((n, c) => n + t[c]!, 0) : undefined;
  const byOutcome = sum(OUTCOME_TOTALS);
  const byType = sum(TYPE_TOTALS);

  if (byOutcome !== undefined && byType !== undefined && byOutcome !== byType) {
    report(
      'case_totals',
      `deaths + days-away + job-transfer + other cases (${byOutcome}) must equal injuries + skin disorders + ` +
        `respiratory conditions + poisonings + hearing loss + other illnesses (${byType})`,
    );
  }
  if (hadCases !== undefined && byOutcome !== undefined) {
    if (hadCases === 2 && (byOutcome > 0 || (byType ?? 0) > 0 || (t.total_dafw_days ?? 0) > 0 || (t.total_djtr_days ?? 0) > 0)) {
      report('no_injuries_illnesses', '2 (no injuries or illnesses) but the case or day totals are not all zero');
    }
    if (hadCases === 1 && byOutcome === 0) {
      report('no_injuries_illnesses', '1 (had injuries or illnesses) but every case total is zero');
    }
  }
  if (employees !== undefined) {
    if (employees === 0) report('annual_average_employees', 'must be greater than 0');
    else if (byOutcome !== undefined && byOutcome >= employees) {
      report('annual_average_employees', `${employees} must be greater than the number of recordable cases (${byOutcome})`);
    }
  }
  if (hours !== undefined) {
    if (hours === 0) report('total_hours_worked', 'must be greater than 0');
    else if (employees !== undefined && employees > 0 && hours >= employees * HOURS_PER_YEAR) {
      report('total_hours_worked', `${hours} is implausible: more than ${employees} employees x ${HOURS_PER_YEAR} hours in a year`);
    }
  }
  checkDays(t.total_dafw_cases, t.total_dafw_days, 'total_dafw_days', 'days-away-from-work', report);
  checkDays(t.total_djtr_cases, t.total_djtr_days, 'total_djtr_days', 'job-transfer-or-restriction', report);
  return problems;
}

/** Days must be positive exactly when there are cases of that kind, and at least one day per case. */
function checkDays(
  cases: number | undefined,
  days: number | undefined,
  field: string,
  kind: string,
  report: (field: string, message: string) => void,
): void {
  if (cases === undefined || days === undefined) return;
  if (cases > 0 && days === 0) report(field, `must be greater than 0 when there are ${kind} cases`);
  else if (cases === 0 && days > 0) report(field, `must be 0 when there are no ${kind} cases`);
  else if (days < cases) report(field, `${days} days is fewer than the ${cases} ${kind} cases (at least 1 day per case)`);
}

/** The ITA upload CSV: header row with the 28 columns, then one line per row. */
export function toItaCsv(rows: readonly Osha300aRow[]): string {
  return stringify(
    rows.map((r) => OSHA_300A_COLUMNS.map((c) => r[c])),
    { header: true, columns: [...OSHA_300A_COLUMNS] },
  );
}
