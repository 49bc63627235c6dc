import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { ApplicationPasswordsTable, ApplicationsTable } from '../db/schema.js';

export type ApplicationRow = Selectable<ApplicationsTable>;
export type PasswordRow = Selectable<ApplicationPasswordsTable>;

export async function insertApplication(db: Executor, row: Insertable<ApplicationsTable>): Promise<void> {
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

/** Deletes an application; its passwords and permissions go with it (foreign keys cascade). */
export async function deleteApplication(db: Executor, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('applications')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function deletePassword(
  db: Executor,
  tenantId: string,
  applicationId: string,
  keyId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('application_passwords')
    .where('tenant_id', '=', tenantId)
    .where('application_id', '=', applicationId)
    .where('key_id', '=', keyId.toLowerCase())
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Tokens the application obtained before `instant` stop working at the API (src/auth/resolve.ts). */
export async function refuseTokensIssuedBefore(
  db: Executor,
  tenantId: string,
  applicationId: string,
  instant: string,
): Promise<void> {
  await db
    .updateTable('applications')
    .set({ tokens_valid_after: instant })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', applicationId)
    .execute();
}

export async function revokePermission(
  db: Executor,
  tenantId: string,
  applicationId: string,
  permission: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('application_permissions')
    .where('tenant_id', '=', tenantId)
    .where('application_id', '=', applicationId)
    .where('permission', '=', permission)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

// ---- applications as OAuth clients (src/oidc/clients.ts) ----------------------------------------------------

/** The application behind a client id, in this tenant only: a client of tenant A does not exist at tenant B. */
export async function findClientApplication(db: Executor, tenantId: string, clientId: string) {
  return db
    .selectFrom('applications')
    .select([
      'id',
      'app_id',
      'display_name',
      'web_redirect_uris',
      'spa_redirect_uris',
      'public_client_redirect_uris',
    ])
    .where('tenant_id', '=', tenantId)
    .where('app_id', '=', clientId)
    .executeTakeFirst();
}

/**
 * The validity windows of the application passwords whose keyed hash is `secretHash`, each row with one of the
 * application's permissions (null when it has none), so authenticating a client and reading its roles is one
 * query. Joined through applications so a deleted application stops authenticating at once, whatever is cached.
 */
export async function findPasswordsByHash(
  db: Executor,
  tenantId: string,
  clientId: string,
  secretHash: string,
) {
  return db
    .selectFrom('application_passwords as p')
    .innerJoin('applications as a', (join) =>
      join.onRef('a.tenant_id', '=', 'p.tenant_id').onRef('a.id', '=', 'p.application_id'),
    )
    .leftJoin('application_permissions as perm', (join) =>
      join.onRef('perm.tenant_id', '=', 'a.tenant_id').onRef('perm.application_id', '=', 'a.id'),
    )
    .select(['p.start_date_time', 'p.end_date_time', 'perm.permission'])
    .where('a.tenant_id', '=', tenantId)
    .where('a.app_id', '=', clientId)
    .where('p.secret_hash', '=', secretHash)
    .execute();
}

export async function listApplicationPermissions(db: Executor, tenantId: string, applicationId: string) {
  const rows = await db
    .selectFrom('application_permissions')
    .select('permission')
    .where('tenant_id', '=', tenantId)
    .where('application_id', '=', applicationId)
    .orderBy('permission')
    .execute();
  return rows.map((row) => row.permission);
}
