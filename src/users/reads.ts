import type { Services } from '../app/services.js';
import { authorize } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import {
  assertMayReadSomeUser,
  assertQueryWithinView,
  projectUser,
  type UserView,
  userListView,
  userView,
  visibleUserProperties,
} from '../auth/visibility.js';
import { FoyerError } from '../errors/catalogue.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { listGroups } from '../groups/service.js';
import { defaultUserProperties, type UserResource } from './schemas.js';
import { getUserResource, listUsers, requireUser } from './service.js';

/** Reads of the users collection as a given caller sees it (src/auth/visibility.ts decides how much). */

export async function listUsersFor(services: Services, principal: Principal, options: QueryOptions) {
  const view = userListView(principal);
  assertQueryWithinView(options, view);
  const properties = visibleUserProperties(options.select ?? defaultUserProperties, view);
  return listUsers(services, principal.tenantId, options, properties);
}

export async function readUserFor(
  services: Services,
  principal: Principal,
  ref: string,
  select: readonly string[] | undefined,
): Promise<{ user: Partial<UserResource>; view: UserView }> {
  assertMayReadSomeUser(principal);
  const user = await getUserResource(services, principal.tenantId, ref);
  const view = await userView(services, principal, user.id);
  return { user: projectUser(user, select ?? defaultUserProperties, view), view };
}

/** GET /me (Graph): the signed-in user. Only delegated tokens have one. */
export async function readMe(
  services: Services,
  principal: Principal,
  select: readonly string[] | undefined,
) {
  if (principal.kind !== 'user') {
    throw new FoyerError('badRequest', '/me request is only valid with delegated authentication flow.');
  }
  authorize(principal, 'readSelf');
  const user = await getUserResource(services, principal.tenantId, principal.objectId);
  return projectUser(user, select ?? defaultUserProperties, 'full');
}

/** GET /users/{id}/memberOf: yourself, or anyone you may read in full. */
export async function listMemberOfFor(
  services: Services,
  principal: Principal,
  ref: string,
  options: QueryOptions,
) {
  assertMayReadSomeUser(principal);
  const user = await requireUser(services, principal.tenantId, ref);
  // Graph lists memberships with a user read permission (User.Read.All), or User.Read for oneself.
  if ((await userView(services, principal, user.id)) !== 'full') authorize(principal, 'readUsers');
  return listGroups(services, principal.tenantId, options, user.id);
}
