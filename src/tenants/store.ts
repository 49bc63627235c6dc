import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import { prepared } from '../db/prepared.js';
import type { TenantsTable } from '../db/schema.js';

export type TenantRow = Selectable<TenantsTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Instance-level: resolves a tenant reference from a URL (id, slug or verified domain). */
export async function findTenantByRef(db: Executor, ref: string): Promise<TenantRow | undefined> {
  const value = ref.toLowerCase();
  // Every sign-in and token request resolves one: the three lookups are compiled once (src/db/prepared.ts).
  const lookup = UUID.test(value) ? tenantById : value.includes('.') ? tenantByVerifiedDomain : tenantBySlug;
  const [tenant] = await lookup(db, value);
  return tenant;
}

const tenantBySlug = prepared<TenantRow, [string]>(1, (db, slug) =>
  db.selectFrom('tenants').selectAll().where('slug', '=', slug),
);

const tenantByVerifiedDomain = prepared<TenantRow, [string]>(1, (db, domain) =>
  db
    .selectFrom('tenants')
    .innerJoin('tenant_domains', 'tenant_domains.tenant_id', 'tenants.id')
    .selectAll('tenants')
    .where('tenant_domains.domain', '=', domain)
    .where('tenant_domains.verified', '=', 1)
    .limit(1),
);

const tenantById = prepared<TenantRow, [string]>(1, (db, tenantId) =>
  db.selectFrom('tenants').selectAll().where('id', '=', tenantId),
);

export async function findTenantById(db: Executor, tenantId: string): Promise<TenantRow | undefined> {
  const [tenant] = await tenantById(db, tenantId);
  return tenant;
}

/** Instance-level listing for operators. */
export async function listTenants(db: Executor): Promise<TenantRow[]> {
  return db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function countTenants(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertTenant(db: Executor, tenant: TenantRow): Promise<void> {
  await db.insertInto('tenants').values(tenant).execute();
}

export async function insertDomain(
  db: Executor,
  tenantId: string,
  domain: { domain: string; verified: boolean; verificationToken: string; now: string },
): Promise<void> {
  await db
    .insertInto('tenant_domains')
    .values({
      tenant_id: tenantId,
      domain: domain.domain.toLowerCase(),
      verified: domain.verified ? 1 : 0,
      verification_token: domain.verificationToken,
      created_at: domain.now,
      verified_at: domain.verified ? domain.now : null,
    })
    .execute();
}

export async function listDomains(db: Executor, tenantId: string) {
  return db
    .selectFrom('tenant_domains')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('domain')
    .execute();
}

export async function findDomain(db: Executor, domain: string) {
  return db
    .selectFrom('tenant_domains')
    .selectAll()
    .where('domain', '=', domain.toLowerCase())
    .executeTakeFirst();
}

export async function markDomainVerified(db: Executor, tenantId: string, domain: string, now: string) {
  const result = await db
    .updateTable('tenant_domains')
    .set({ verified: 1, verified_at: now })
    .where('tenant_id', '=', tenantId)
    .where('domain', '=', domain.toLowerCase())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
