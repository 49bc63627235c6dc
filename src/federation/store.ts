import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { IdentityProvidersTable } from '../db/schema.js';

export type IdentityProviderRow = Selectable<IdentityProvidersTable>;

/** A provider with the email domains it serves (lower case). */
export interface StoredProvider {
  row: IdentityProviderRow;
  domains: string[];
}

async function withDomains(db: Executor, tenantId: string, rows: IdentityProviderRow[]) {
  if (rows.length === 0) return [];
  const domains = await db
    .selectFrom('identity_provider_domains')
    .select(['provider_id', 'domain'])
    .where('tenant_id', '=', tenantId)
    .where(
      'provider_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('domain')
    .execute();
  return rows.map((row) => ({
    row,
    domains: domains.filter((d) => d.provider_id === row.id).map((d) => d.domain),
  }));
}

export async function listProviders(db: Executor, tenantId: string): Promise<StoredProvider[]> {
  const rows = await db
    .selectFrom('identity_providers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return withDomains(db, tenantId, rows);
}

export async function findProvider(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<StoredProvider | undefined> {
  const row = await db
    .selectFrom('identity_providers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? (await withDomains(db, tenantId, [row]))[0] : undefined;
}

/** The provider serving an email domain in a tenant (domain federation), if any. */
export async function providerForDomain(db: Executor, tenantId: string, domain: string) {
  return db
    .selectFrom('identity_provider_domains as d')
    .innerJoin('identity_providers as p', (join) =>
      join.onRef('p.tenant_id', '=', 'd.tenant_id').onRef('p.id', '=', 'd.provider_id'),
    )
    .selectAll('p')
    .where('d.tenant_id', '=', tenantId)
    .where('d.domain', '=', domain.toLowerCase())
    .executeTakeFirst();
}

export async function providerOfKind(db: Executor, tenantId: string, kind: string) {
  return db
    .selectFrom('identity_providers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .executeTakeFirst();
}

export async function providerByIssuer(db: Executor, tenantId: string, issuer: string) {
  return db
    .selectFrom('identity_providers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb(eb.fn('lower', ['issuer']), '=', issuer.toLowerCase()))
    .executeTakeFirst();
}

export async function insertProvider(db: Executor, row: IdentityProviderRow, domains: string[]) {
  await db.insertInto('identity_providers').values(row).execute();
  await replaceDomains(db, row.tenant_id, row.id, domains);
}

export async function updateProvider(
  db: Executor,
  tenantId: string,
  id: string,
  changes: Partial<IdentityProviderRow>,
) {
  await db
    .updateTable('identity_providers')
    .set(changes)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function replaceDomains(db: Executor, tenantId: string, id: string, domains: string[]) {
  await db
    .deleteFrom('identity_provider_domains')
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', id)
    .execute();
  if (domains.length === 0) return;
  await db
    .insertInto('identity_provider_domains')
    .values(domains.map((domain) => ({ tenant_id: tenantId, domain, provider_id: id })))
    .execute();
}

export async function deleteProvider(db: Executor, tenantId: string, id: string) {
  await db
    .deleteFrom('identity_provider_domains')
    .where('tenant_id', '=', tenantId)
    .where('provider_id', '=', id)
    .execute();
  await db.deleteFrom('identity_providers').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** How many guests of the tenant sign in through this issuer (their `identities` entry names it). */
export async function countBoundGuests(db: Executor, tenantId: string, issuer: string): Promise<number> {
  const row = await db
    .selectFrom('user_identities')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb(eb.fn('lower', ['issuer']), '=', issuer.toLowerCase()))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
