import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { CrossTenantPartnersTable } from '../db/schema.js';

/** SQL for crossTenantAccessPolicy/partners: every row belongs to the tenant whose policy it is. */

export type PartnerRow = Selectable<CrossTenantPartnersTable>;

export async function listPartners(db: Executor, tenantId: string): Promise<PartnerRow[]> {
  return db
    .selectFrom('cross_tenant_partners')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('partner_tenant_id')
    .execute();
}

export async function findPartner(db: Executor, tenantId: string, partnerTenantId: string) {
  return db
    .selectFrom('cross_tenant_partners')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('partner_tenant_id', '=', partnerTenantId)
    .executeTakeFirst();
}

/** Inserts a partner; false when the tenant already has one for that partner (the primary key decides). */
export async function insertPartner(db: Executor, tenantId: string, row: Omit<PartnerRow, 'tenant_id'>) {
  const result = await db
    .insertInto('cross_tenant_partners')
    .values({ ...row, tenant_id: tenantId })
    .onConflict((oc) => oc.columns(['tenant_id', 'partner_tenant_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function updatePartner(
  db: Executor,
  tenantId: string,
  partnerTenantId: string,
  changes: { is_mfa_accepted: number; updated_at: string },
): Promise<boolean> {
  const result = await db
    .updateTable('cross_tenant_partners')
    .set(changes)
    .where('tenant_id', '=', tenantId)
    .where('partner_tenant_id', '=', partnerTenantId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deletePartner(
  db: Executor,
  tenantId: string,
  partnerTenantId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('cross_tenant_partners')
    .where('tenant_id', '=', tenantId)
    .where('partner_tenant_id', '=', partnerTenantId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Whether `tenantId` trusts the MFA of `partnerTenantId` (inboundTrust.isMfaAccepted). */
export async function trustsPartnerMfa(
  db: Executor,
  tenantId: string,
  partnerTenantId: string,
): Promise<boolean> {
  const row = await findPartner(db, tenantId, partnerTenantId);
  return row?.is_mfa_accepted === 1;
}
