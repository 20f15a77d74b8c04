// The sandbox's live tenant data: a per-tenant mutable copy of the generated records, so that imports really
// change what later exports, filings and bundles see.
import { ENTITIES, generateTenantData, ID_PREFIX, type EntityName, type TenantData, type TenantRecord } from './tenant-data.js';

export class TenantStore {
  private readonly tenants = new Map<string, TenantData>();
  private readonly lastIds = new Map<string, number>();

  constructor(private readonly rowsPerEntity: number) {}

  /** The tenant's current records (created on first use). Bound, so it can be passed as a `data` option. */
  readonly get = (tenant: string): TenantData => {
    let data = this.tenants.get(tenant);
    if (!data) {
      // The generator caches and shares its output: copy the arrays so changes stay in this store.
      const generated = generateTenantData(tenant, this.rowsPerEntity);
      data = { tenant } as TenantData;
      for (const entity of ENTITIES) data[entity] = generated[entity].map((r) => ({ ...r }));
      this.tenants.set(tenant, data);
    }
    return data;
  };

  /** Total records of a tenant. */
  count(tenant: string): number {
    const data = this.get(tenant);
    return ENTITIES.reduce((n, entity) => n + data[entity].length, 0);
  }

  /**
   * Runs `change` on a copy of one entity's records and installs the copy only when it returns: a change that
   * throws leaves the tenant untouched (all or nothing). Records must be replaced, not mutated, by `change`.
   */
  transact<T>(tenant: string, entity: EntityName, change: (records: TenantRecord[], newId: () => string) => T): T {
    const data = this.get(tenant);
    const key = `${tenant}\n${entity}`;
    let lastId = this.lastIds.get(key) ?? highestIdNumber(data[entity]);
    const draft = [...data[entity]];
    const result = change(draft, () => `${ID_PREFIX[entity]}-${String(++lastId).padStart(4, '0')}`);
    data[entity] = draft;
    this.lastIds.set(key, lastId);
    return result;
  }
}

function highestIdNumber(records: TenantRecord[]): number {
  let max = 0;
  for (const record of records) {
    const n = Number(/-(\d+)$/.exec(record.id)?.[1] ?? 0);
    if (n > max) max = n;
  }
  return max;
}
