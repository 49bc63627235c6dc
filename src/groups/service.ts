import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { authorize, can } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import {
  assertMayReadGroup,
  assertMayReadSomeGroup,
  assertQueryWithinView,
  visibleUserProperties,
} from '../auth/visibility.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors.js';
import { FoyerError } from '../errors/catalogue.js';
import { queryPage } from '../graph/collection.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { listUsers, requireUser } from '../users/service.js';
import { groupEntity } from './entity.js';
import { type CreateGroupBody, idFromObjectUrl, toGroupResource } from './schemas.js';
import {
  addMembers,
  addOwners,
  deleteGroup,
  findGroup,
  type GroupRow,
  insertGroup,
  removeMember,
  updateGroup,
} from './store.js';

const notFound = (id: string) =>
  new FoyerError(
    'notFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

export async function requireGroup(services: Services, tenantId: string, id: string): Promise<GroupRow> {
  const group = await findGroup(services.db, tenantId, id);
  if (!group) throw notFound(id);
  return group;
}

export async function createGroup(services: Services, principal: Principal, body: CreateGroupBody) {
  authorize(principal, 'writeGroups');
  const tenantId = principal.tenantId;
  const row: GroupRow = {
    tenant_id: tenantId,
    id: services.ids.objectId(),
    display_name: body.displayName,
    description: body.description ?? null,
    mail_nickname: body.mailNickname,
    created_at: services.clock.now().toISOString(),
  };
  const members = [...new Set((body['members@odata.bind'] ?? []).map(idFromObjectUrl))];
  const owners = [...new Set((body['owners@odata.bind'] ?? []).map(idFromObjectUrl))];
  try {
    await services.db.transaction().execute(async (trx) => {
      await insertGroup(trx, row);
      await addMembers(trx, tenantId, row.id, members);
      await addOwners(trx, tenantId, row.id, owners);
      await publish(trx, services, {
        type: 'group.created',
        tenantId,
        actor: actorOf(principal),
        targets: [{ id: row.id, type: 'Group', displayName: row.display_name }],
        correlationId: services.ids.uuid(),
      });
    });
  } catch (error) {
    // A bound member or owner that is not a user of this tenant: nothing is written.
    if (isForeignKeyViolation(error)) {
      throw new FoyerError(
        'badRequest',
        'Invalid object identifier in members@odata.bind or owners@odata.bind.',
      );
    }
    throw error;
  }
  return toGroupResource(row);
}

export async function patchGroup(
  services: Services,
  principal: Principal,
  id: string,
  body: { displayName?: string; description?: string | null; mailNickname?: string },
) {
  authorize(principal, 'writeGroups');
  const group = await requireGroup(services, principal.tenantId, id);
  await services.db.transaction().execute(async (trx) => {
    await updateGroup(trx, principal.tenantId, group.id, {
      ...(body.displayName !== undefined && { display_name: body.displayName }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.mailNickname !== undefined && { mail_nickname: body.mailNickname }),
    });
    await publish(trx, services, {
      type: 'group.updated',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: group.id, type: 'Group', displayName: body.displayName ?? group.display_name }],
      correlationId: services.ids.uuid(),
    });
  });
}

export async function removeGroup(services: Services, principal: Principal, id: string) {
  authorize(principal, 'writeGroups');
  const group = await requireGroup(services, principal.tenantId, id);
  await services.db.transaction().execute(async (trx) => {
    await deleteGroup(trx, principal.tenantId, group.id);
    await publish(trx, services, {
      type: 'group.deleted',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [{ id: group.id, type: 'Group', displayName: group.display_name }],
      correlationId: services.ids.uuid(),
    });
  });
}

export async function addGroupMember(
  services: Services,
  principal: Principal,
  groupId: string,
  objectUrl: string,
) {
  authorize(principal, 'writeGroupMembers');
  const tenantId = principal.tenantId;
  const group = await requireGroup(services, tenantId, groupId);
  const user = await requireUser(services, tenantId, idFromObjectUrl(objectUrl));
  try {
    await services.db.transaction().execute(async (trx) => {
      await addMembers(trx, tenantId, group.id, [user.id]);
      await publish(trx, services, {
        type: 'group.member.added',
        tenantId,
        actor: actorOf(principal),
        targets: [userTarget(user), { id: group.id, type: 'Group', displayName: group.display_name }],
        correlationId: services.ids.uuid(),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new FoyerError(
        'badRequest',
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    }
    throw error;
  }
}

export async function removeGroupMember(
  services: Services,
  principal: Principal,
  groupId: string,
  memberId: string,
) {
  authorize(principal, 'writeGroupMembers');
  const tenantId = principal.tenantId;
  const group = await requireGroup(services, tenantId, groupId);
  await services.db.transaction().execute(async (trx) => {
    if (!(await removeMember(trx, tenantId, group.id, memberId.toLowerCase()))) throw notFound(memberId);
    await publish(trx, services, {
      type: 'group.member.removed',
      tenantId,
      actor: actorOf(principal),
      targets: [
        { id: memberId, type: 'User', displayName: null },
        { id: group.id, type: 'Group', displayName: group.display_name },
      ],
      correlationId: services.ids.uuid(),
    });
  });
}

export async function listGroups(
  services: Services,
  tenantId: string,
  options: QueryOptions,
  memberId?: string,
) {
  const { db } = services;
  const from = () =>
    memberId === undefined
      ? db.selectFrom('groups')
      : db
          .selectFrom('groups')
          .where('groups.id', 'in', (eb) =>
            eb
              .selectFrom('group_members')
              .select('group_members.group_id')
              .where('group_members.tenant_id', '=', tenantId)
              .where('group_members.member_id', '=', memberId),
          );
  const page = await queryPage(from, tenantId, options, groupEntity);
  return { ...page, items: page.items.map(toGroupResource) };
}

/** GET /groups/{id}/members: the users collection, narrowed to this group's members. */
export async function listGroupMembers(
  services: Services,
  tenantId: string,
  groupId: string,
  options: QueryOptions,
  properties: readonly string[],
) {
  const group = await requireGroup(services, tenantId, groupId);
  return listUsers(services, tenantId, options, properties, (query) =>
    query.where('users.id', 'in', (eb) =>
      eb
        .selectFrom('group_members')
        .select('group_members.member_id')
        .where('group_members.tenant_id', '=', tenantId)
        .where('group_members.group_id', '=', group.id),
    ),
  );
}

/** GET /groups: enumerating groups is for readers of the directory (not for guests below "same as members"). */
export async function listGroupsFor(services: Services, principal: Principal, options: QueryOptions) {
  authorize(principal, 'readGroups');
  return listGroups(services, principal.tenantId, options);
}

/** GET /groups/{id}: readers of groups, and a limited guest for a group it belongs to. */
export async function readGroupFor(services: Services, principal: Principal, id: string) {
  assertMayReadSomeGroup(principal);
  const group = await requireGroup(services, principal.tenantId, id);
  await assertMayReadGroup(services, principal, group.id);
  return toGroupResource(group);
}

/** GET /groups/{id}/members: members in full for full readers of users, else their basic profile. */
export async function listGroupMembersFor(
  services: Services,
  principal: Principal,
  id: string,
  options: QueryOptions,
  properties: readonly string[],
) {
  assertMayReadSomeGroup(principal);
  const group = await requireGroup(services, principal.tenantId, id);
  await assertMayReadGroup(services, principal, group.id);
  const view = can(principal, 'readUsers') ? 'full' : 'basic';
  assertQueryWithinView(options, view);
  const visible = visibleUserProperties(options.select ?? properties, view);
  return listGroupMembers(services, principal.tenantId, group.id, options, visible);
}
