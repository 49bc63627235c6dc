import type { Services } from '../app/services.js';
import type { FilterNode } from '../graph/odata/filter-parser.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { isGroupMember, shareAGroup } from '../groups/store.js';
import { authorize, can, denied } from './guards.js';
import { operations } from './permissions.js';
import type { Principal, UserPrincipal } from './principal.js';
import { seesDirectory } from './rights.js';

/** How much of a user object a caller sees: everything, or the basic profile (User.ReadBasic.All). */
export type UserView = 'full' | 'basic';

/** Graph's basic profile: what User.ReadBasic.All, and a limited guest, may read of other users. */
export const basicUserProperties: readonly string[] = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
];

const hasScopeFor = (principal: UserPrincipal, operation: keyof typeof operations) =>
  operations[operation].scopes.some((scope) => principal.scopes.includes(scope));

/** A guest at the "limited" access level: sees itself, and what it shares with others (groups, their members). */
function limitedGuest(principal: Principal): principal is UserPrincipal {
  return principal.kind === 'user' && !seesDirectory(principal) && principal.guestAccess === 'limited';
}

/** Listing users (GET /users): the whole directory, so not for guests below "same as members". */
export function userListView(principal: Principal): UserView {
  if (can(principal, 'readUsers')) return 'full';
  authorize(principal, 'readUsersBasic');
  return 'basic';
}

/** Before looking a user up: refuse callers that could not read any user at all (403, not 404). */
export function assertMayReadSomeUser(principal: Principal): void {
  if (principal.kind === 'user' && can(principal, 'readSelf')) return;
  if (can(principal, 'readUsersBasic')) return;
  authorize(principal, 'readUsers');
}

/**
 * One user: yourself in full (User.Read); others in full with a full read permission, as a basic profile with
 * User.ReadBasic.All; a limited guest sees the basic profile of users it shares a group with; a restricted
 * guest only itself.
 */
export async function userView(services: Services, principal: Principal, userId: string): Promise<UserView> {
  if (principal.kind === 'user' && principal.objectId === userId) {
    authorize(principal, 'readSelf');
    return 'full';
  }
  if (can(principal, 'readUsers')) return 'full';
  if (can(principal, 'readUsersBasic')) return 'basic';
  if (
    limitedGuest(principal) &&
    hasScopeFor(principal, 'readUsersBasic') &&
    (await shareAGroup(services.db, principal.tenantId, principal.objectId, userId))
  ) {
    return 'basic';
  }
  throw denied('Insufficient privileges to complete the operation.');
}

/** One group, or its members: readers of groups, and a limited guest for a group it belongs to. */
export async function assertMayReadGroup(services: Services, principal: Principal, groupId: string) {
  if (can(principal, 'readGroups')) return;
  if (
    limitedGuest(principal) &&
    hasScopeFor(principal, 'readGroups') &&
    (await isGroupMember(services.db, principal.tenantId, groupId, principal.objectId))
  ) {
    return;
  }
  authorize(principal, 'readGroups');
}

/** Before looking a group up: refuse callers that could read no group at all. */
export function assertMayReadSomeGroup(principal: Principal): void {
  if (limitedGuest(principal) && hasScopeFor(principal, 'readGroups')) return;
  authorize(principal, 'readGroups');
}

/**
 * Projects a user for a view: the selected properties, narrowed to the basic profile when that is all the
 * caller may see (the other properties are left out, not failed: a client asking for the default set of a
 * user it may only glimpse still gets the names).
 */
export function projectUser<T extends object>(
  user: T,
  properties: readonly string[],
  view: UserView,
): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const name of properties) {
    if (!(name in user) || (view === 'basic' && !basicUserProperties.includes(name))) continue;
    out[name] = (user as Record<string, unknown>)[name];
  }
  return out as Partial<T>;
}

/** Of `properties`, those the view shows, in the same order: a list applies it once, not once per row. */
export function visibleUserProperties(properties: readonly string[], view: UserView): readonly string[] {
  return view === 'basic' ? properties.filter((name) => basicUserProperties.includes(name)) : properties;
}

/** Property names a $filter reads (lambda collections count as their collection property). */
function filteredProperties(node: FilterNode | undefined, into: Set<string> = new Set()): Set<string> {
  if (!node) return into;
  switch (node.kind) {
    case 'and':
    case 'or':
      filteredProperties(node.left, into);
      return filteredProperties(node.right, into);
    case 'not':
      return filteredProperties(node.operand, into);
    case 'any':
      into.add(`${node.collection.table}/any()`);
      return into;
    default:
      into.add(node.property.name);
      return into;
  }
}

/**
 * A caller who sees only basic profiles may not filter on anything else either: `$filter=accountEnabled eq
 * false` would tell it what the projection hides.
 */
export function assertQueryWithinView(options: QueryOptions, view: UserView): void {
  if (view === 'full') return;
  const hidden = [...filteredProperties(options.filter)].filter(
    (name) => !basicUserProperties.includes(name),
  );
  if (hidden.length > 0) {
    throw denied(
      `Insufficient privileges to filter on ${hidden.join(', ')}: only the basic profile of users is readable.`,
    );
  }
}
