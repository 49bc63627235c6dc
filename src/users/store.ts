import { type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../db/executor.js';
import { prepared, preparedInsert } from '../db/prepared.js';
import type { UserIdentitiesTable, UsersTable } from '../db/schema.js';
import { groupBy } from '../platform/collections.js';

export type UserRow = Selectable<UsersTable>;
export type IdentityRow = Selectable<UserIdentitiesTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Graph addresses a user by object id or by userPrincipalName (case-insensitive). */
export async function findUser(db: Executor, tenantId: string, ref: string): Promise<UserRow | undefined> {
  const [user] = UUID.test(ref)
    ? await userById(db, tenantId, ref.toLowerCase())
    : await userByUpn(db, tenantId, ref.toLowerCase());
  return user;
}

/**
 * A user by id with the ids of the groups it belongs to directly, in one statement: oidc-provider's findAccount
 * runs it for every token a user gets (the `groups` claim). The ids come joined by commas (they are UUIDs);
 * `string_agg` with ORDER BY is both SQLite's (3.44+) and PostgreSQL's.
 */
const userWithGroupsById = prepared<UserRow & { group_ids: string | null }, [string, string]>(
  2,
  (db, tenantId, id) =>
    db
      .selectFrom('users')
      .selectAll('users')
      .select((eb) =>
        eb
          .selectFrom('group_members')
          .select(
            sql<string>`string_agg(group_members.group_id, ',' order by group_members.group_id)`.as('ids'),
          )
          .whereRef('group_members.tenant_id', '=', 'users.tenant_id')
          .whereRef('group_members.member_id', '=', 'users.id')
          .as('group_ids'),
      )
      .where('users.tenant_id', '=', tenantId)
      .where('users.id', '=', id),
);

export async function findUserWithGroupIds(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<{ user: UserRow; groupIds: string[] } | undefined> {
  if (!UUID.test(id)) return undefined;
  const [row] = await userWithGroupsById(db, tenantId, id.toLowerCase());
  if (!row) return undefined;
  const { group_ids, ...user } = row;
  return { user, groupIds: group_ids ? group_ids.split(',') : [] };
}

const userById = prepared<UserRow, [string, string]>(2, (db, tenantId, id) =>
  db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id),
);

/** By lower-cased userPrincipalName (the users_upn_unique index). */
const userByUpn = prepared<UserRow, [string, string]>(2, (db, tenantId, lowerUpn) =>
  db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb(eb.fn('lower', ['user_principal_name']), '=', lowerUpn)),
);

const insertUserRow = preparedInsert<'users', UserRow>('users');

const insertUserUnlessUpnHeld = preparedInsert<'users', UserRow, { id: string }>('users', (query) =>
  query
    .onConflict((oc) => oc.expression(sql`tenant_id, lower(user_principal_name)`).doNothing())
    .returning('id'),
);

/**
 * Inserts the user unless another user of the tenant holds its userPrincipalName (users_upn_unique): false
 * then, and nothing is written. One statement instead of a lookup and an insert; any other uniqueness
 * conflict (the same invited address, the same id) still throws.
 */
export async function insertUserUnlessUpnTaken(db: Executor, user: UserRow): Promise<boolean> {
  return (await insertUserUnlessUpnHeld(db, user)).length > 0;
}

export async function findUsersByIds(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export async function insertUser(
  db: Executor,
  user: UserRow,
  identities: ReadonlyArray<Omit<IdentityRow, 'tenant_id' | 'user_id'>> = [],
): Promise<void> {
  await insertUserRow(db, user);
  if (identities.length > 0) {
    await db
      .insertInto('user_identities')
      .values(identities.map((i) => ({ ...i, tenant_id: user.tenant_id, user_id: user.id })))
      .execute();
  }
}

export async function updateUser(
  db: Executor,
  tenantId: string,
  userId: string,
  patch: Updateable<UsersTable>,
): Promise<boolean> {
  if (Object.keys(patch).length === 0) return true;
  const result = await db
    .updateTable('users')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteUser(db: Executor, tenantId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('users')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** One query for a whole page of users (never one per row). */
export async function identitiesByUser(
  db: Executor,
  tenantId: string,
  userIds: readonly string[],
): Promise<Map<string, IdentityRow[]>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_identities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', 'in', userIds)
    .execute();
  return groupBy(rows, (row) => row.user_id);
}

export async function rolesOfUser(db: Executor, tenantId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('directory_role_assignments')
    .select('role')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.role);
}

export async function assignRole(
  db: Executor,
  tenantId: string,
  userId: string,
  role: string,
): Promise<void> {
  await db
    .insertInto('directory_role_assignments')
    .values({ tenant_id: tenantId, user_id: userId, role })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function insertSponsors(
  db: Executor,
  tenantId: string,
  userId: string,
  sponsorIds: readonly string[],
): Promise<void> {
  if (sponsorIds.length === 0) return;
  await db
    .insertInto('user_sponsors')
    .values(sponsorIds.map((sponsor_id) => ({ tenant_id: tenantId, user_id: userId, sponsor_id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteIdentities(db: Executor, tenantId: string, userId: string): Promise<void> {
  await db
    .deleteFrom('user_identities')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute();
}
