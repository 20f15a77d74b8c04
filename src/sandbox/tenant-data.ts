// Deterministic simulated EHS data for a tenant: same tenant + row count -> same records.

export const ENTITIES = ['incidents', 'inspections', 'capas', 'observations'] as const;
export type EntityName = (typeof ENTITIES)[number];

export interface TenantRecord {
  entity: EntityName;
  id: string;
  site: string;
  title: string;
  status: string;
  /** ISO date (YYYY-MM-DD); its meaning depends on the entity (see DATE_FIELD). */
  date: string;
  severity: string;
  owner: string;
  description: string;
}

export type TenantData = Record<EntityName, TenantRecord[]> & { tenant: string };

/** The JSON field name of `date` per entity. */
export const DATE_FIELD: Record<EntityName, string> = {
  incidents: 'occurred_on',
  inspections: 'performed_on',
  capas: 'due_on',
  observations: 'observed_on',
};

/** Record id prefix per entity (INC-0001, ...). */
export const ID_PREFIX: Record<EntityName, string> = { incidents: 'INC', inspections: 'INS', capas: 'CAPA', observations: 'OBS' };

const SITES = ['Zürich Plant', 'Basel Warehouse', 'Lyon Depot', 'São Paulo Lab', 'Kraków Assembly', 'Austin, TX Distribution'];
// Owners are e-mail addresses and statuses come from the import validator's enums, so an export re-imports cleanly.
const OWNERS = ['anja.mueller@acme.example', 'jose.garcia@acme.example', 'li.wei@acme.example', 'chloe.dubois@acme.example', 'sean.obrien@acme.example', 'priya.natarajan@acme.example'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

const STATUSES: Record<EntityName, string[]> = {
  incidents: ['open', 'investigating', 'closed'],
  inspections: ['scheduled', 'in_progress', 'completed'],
  capas: ['open', 'in_progress', 'done', 'verified'],
  observations: ['open', 'closed'],
};

const TITLES: Record<EntityName, string[]> = {
  incidents: ['Hydraulic oil spill', 'Forklift near miss', 'Slip on wet floor', 'Chemical splash to eye', 'Hand laceration'],
  inspections: ['Monthly fire extinguisher check', 'Scaffold inspection', 'Eyewash station test', 'LOTO audit', 'Racking inspection'],
  capas: ['Replace worn guard rail', 'Retrain forklift drivers', 'Install spill kit at bay', 'Update SDS binder', 'Fix leaking valve'],
  observations: ['Blocked emergency exit', 'Missing hard hat', 'Good catch: loose cable', 'Unlabelled container', 'PPE worn correctly'],
};

const DESCRIPTIONS = [
  (r: Rng, site: string) => `${site.split(' ')[0]} – spill of ~${r.int(1, 40)} L near bay ${r.int(1, 12)}, contained with absorbent pads.`,
  (r: Rng) => `Operator said "I didn't see the sign", supervisor notified.\nFollow-up walk-through planned for shift ${r.int(1, 3)}.`,
  (r: Rng) => `Found during round ${r.int(100, 999)}; no injuries, area cordoned off, photos attached.`,
  (r: Rng) => `Contractor crew (${r.int(2, 9)} people) briefed again; "stop work" authority reminded.`,
  () => 'Straightforward finding, closed the same day.',
  (r: Rng) => `Temperature ${r.int(30, 45)} °C in aisle, ventilation requested – see ticket #${r.int(1000, 9999)}.`,
];

/** mulberry32: tiny seeded PRNG, good enough for fake data. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** FNV-1a: a stable 32-bit number from a string, the seed of every piece of simulated data. */
export function hashOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

const BASE_DAY = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;

function generateEntity(rng: Rng, entity: EntityName, rows: number): TenantRecord[] {
  const records: TenantRecord[] = [];
  for (let i = 1; i <= rows; i++) {
    const site = rng.pick(SITES);
    records.push({
      entity,
      id: `${ID_PREFIX[entity]}-${String(i).padStart(4, '0')}`,
      site,
      title: rng.pick(TITLES[entity]),
      status: rng.pick(STATUSES[entity]),
      date: new Date(BASE_DAY + rng.int(0, 450) * DAY_MS).toISOString().slice(0, 10),
      severity: rng.pick(SEVERITIES),
      owner: rng.pick(OWNERS),
      description: rng.pick(DESCRIPTIONS)(rng, site),
    });
  }
  return records;
}

const cache = new Map<string, TenantData>();

export function generateTenantData(tenant: string, rowsPerEntity: number): TenantData {
  const key = `${tenant}\n${rowsPerEntity}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const rng = new Rng(hashOf(tenant));
  const data = { tenant } as TenantData;
  for (const entity of ENTITIES) data[entity] = generateEntity(rng, entity, rowsPerEntity);
  cache.set(key, data);
  return data;
}

/** All records in export order (incidents, inspections, CAPAs, observations). */
export function allRecords(data: TenantData): TenantRecord[] {
  return ENTITIES.flatMap((entity) => data[entity]);
}

/** The JSON-export shape of a record: entity-specific date field, no `entity` column. */
export function recordToJson(record: TenantRecord): Record<string, string> {
  return {
    id: record.id,
    site: record.site,
    title: record.title,
    status: record.status,
    [DATE_FIELD[record.entity]]: record.date,
    severity: record.severity,
    owner: record.owner,
    description: record.description,
  };
}
