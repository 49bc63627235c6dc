import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { ApplicationPasswordsTable, ApplicationsTable } from '../db/schema.js';

export type ApplicationRow = Selectable<ApplicationsTable>;
export type PasswordRow = Selectable<ApplicationPasswordsTable>;

export async function insertApplication(db: Executor, row: ApplicationRow): Promise<void> {
  await db.insertInto('applications').values(row).execute();
}

/** Graph addresses an application by object id; `appId` lookups go through findApplicationByAppId. */
export async function findApplication(db: Executor, tenantId: string, id: string) {
  return db
    .selectFrom('applications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id.toLowerCase())
    .executeTakeFirst();
}

export async function insertPassword(db: Executor, row: PasswordRow): Promise<void> {
  await db.insertInto('application_passwords').values(row).execute();
}

export async function passwordsOf(db: Executor, tenantId: string, applicationIds: readonly string[]) {
  if (applicationIds.length === 0) return [];
  return db
    .selectFrom('application_passwords')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('application_id', 'in', applicationIds)
    .orderBy('start_date_time')
    .execute();
}

export async function grantPermissions(
  db: Executor,
  tenantId: string,
  applicationId: string,
  permissions: readonly string[],
): Promise<void> {
  if (permissions.length === 0) return;
  await db
    .insertInto('application_permissions')
    .values(
      permissions.map((permission) => ({ tenant_id: tenantId, application_id: applicationId, permission })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function permissionsOf(db: Executor, tenantId: string, applicationIds: readonly string[]) {
  if (applicationIds.length === 0) return [];
  return db
    .selectFrom('application_permissions')
    .select(['application_id', 'permission'])
    .where('tenant_id', '=', tenantId)
    .where('application_id', 'in', applicationIds)
    .orderBy('permission')
    .execute();
}
