import type { Executor } from '../db/executor.js';

/** The directory facts authentication needs about a caller, one small query each. tenantId first. */

export async function findApplicationStanding(db: Executor, tenantId: string, objectId: string) {
  const row = await db
    .selectFrom('applications')
    .select(['id', 'display_name', 'tokens_valid_after'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', objectId)
    .executeTakeFirst();
  if (!row) return undefined;
  const permissions = await db
    .selectFrom('application_permissions')
    .select('permission')
    .where('tenant_id', '=', tenantId)
    .where('application_id', '=', objectId)
    .execute();
  return { ...row, permissions: permissions.map((p) => p.permission) };
}

export async function findUserStanding(db: Executor, tenantId: string, objectId: string) {
  const row = await db
    .selectFrom('users')
    .select(['id', 'display_name', 'user_principal_name', 'user_type', 'account_enabled'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', objectId)
    .executeTakeFirst();
  if (!row) return undefined;
  const roles = await db
    .selectFrom('directory_role_assignments')
    .select('role')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', objectId)
    .execute();
  return { ...row, roles: roles.map((r) => r.role) };
}
