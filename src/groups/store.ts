import type { Selectable, Updateable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { GroupsTable } from '../db/schema.js';

export type GroupRow = Selectable<GroupsTable>;

export async function insertGroup(db: Executor, row: GroupRow): Promise<void> {
  await db.insertInto('groups').values(row).execute();
}

export async function findGroup(db: Executor, tenantId: string, id: string): Promise<GroupRow | undefined> {
  return db
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id.toLowerCase())
    .executeTakeFirst();
}

export async function updateGroup(
  db: Executor,
  tenantId: string,
  id: string,
  patch: Updateable<GroupsTable>,
) {
  if (Object.keys(patch).length === 0) return;
  await db.updateTable('groups').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function deleteGroup(db: Executor, tenantId: string, id: string): Promise<void> {
  await db.deleteFrom('groups').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function addMembers(
  db: Executor,
  tenantId: string,
  groupId: string,
  memberIds: readonly string[],
) {
  if (memberIds.length === 0) return;
  await db
    .insertInto('group_members')
    .values(memberIds.map((member_id) => ({ tenant_id: tenantId, group_id: groupId, member_id })))
    .execute();
}

export async function addOwners(
  db: Executor,
  tenantId: string,
  groupId: string,
  ownerIds: readonly string[],
) {
  if (ownerIds.length === 0) return;
  await db
    .insertInto('group_owners')
    .values(ownerIds.map((owner_id) => ({ tenant_id: tenantId, group_id: groupId, owner_id })))
    .execute();
}

export async function removeMember(db: Executor, tenantId: string, groupId: string, memberId: string) {
  const result = await db
    .deleteFrom('group_members')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Is the user a member of the group? (A limited guest sees the groups it belongs to.) */
export async function isGroupMember(db: Executor, tenantId: string, groupId: string, userId: string) {
  const row = await db
    .selectFrom('group_members')
    .select('member_id')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .where('member_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Do two users share at least one group? (A limited guest sees the basic profile of such users.) */
export async function shareAGroup(db: Executor, tenantId: string, userId: string, otherId: string) {
  const row = await db
    .selectFrom('group_members as mine')
    .innerJoin('group_members as theirs', (join) =>
      join.onRef('theirs.tenant_id', '=', 'mine.tenant_id').onRef('theirs.group_id', '=', 'mine.group_id'),
    )
    .select('mine.group_id')
    .where('mine.tenant_id', '=', tenantId)
    .where('mine.member_id', '=', userId)
    .where('theirs.member_id', '=', otherId)
    .executeTakeFirst();
  return row !== undefined;
}
