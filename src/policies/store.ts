import type { Executor } from '../db/executor.js';

export type PolicyType = 'authorizationPolicy' | 'b2bManagementPolicy';

export async function readPolicy(
  db: Executor,
  tenantId: string,
  type: PolicyType,
): Promise<unknown | undefined> {
  const row = await db
    .selectFrom('policies')
    .select('document')
    .where('tenant_id', '=', tenantId)
    .where('policy_type', '=', type)
    .executeTakeFirst();
  return row ? JSON.parse(row.document) : undefined;
}

export async function writePolicy(
  db: Executor,
  tenantId: string,
  type: PolicyType,
  document: unknown,
  now: string,
): Promise<void> {
  await db
    .insertInto('policies')
    .values({ tenant_id: tenantId, policy_type: type, document: JSON.stringify(document), updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'policy_type'])
        .doUpdateSet({ document: JSON.stringify(document), updated_at: now }),
    )
    .execute();
}
