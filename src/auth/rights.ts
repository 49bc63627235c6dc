import type { Operation } from './permissions.js';
import type { UserPrincipal } from './principal.js';

/**
 * What a person may do in the directory on their own account, whatever client they use (Graph's default user
 * permissions and built-in roles, https://learn.microsoft.com/entra/fundamentals/users-default-permissions).
 * A delegated call needs this right AND a delegated scope that grants the operation.
 */
const memberRights: readonly Operation[] = [
  'readSelf',
  'readUsers',
  'readUsersBasic',
  'readGroups',
  'readOrganization',
  // Whether a member may invite is authorizationPolicy.allowInvitesFrom's decision (src/invitations).
  'invite',
];

/** Guests who are not "same as members" read their own profile and the organisation; limited ones a bit more. */
const guestRights: readonly Operation[] = ['readSelf', 'readOrganization', 'invite'];

const roleRights: Record<string, readonly Operation[]> = {
  'Guest Inviter': ['invite', 'manageInvitations'],
  'User Administrator': [
    'readUsers',
    'readUsersBasic',
    'readGroups',
    'writeUsers',
    'writeGroups',
    'writeGroupMembers',
    'readAuditLogs',
    'invite',
    'manageInvitations',
    'administerInvitations',
  ],
};

export function userHasRight(principal: UserPrincipal, operation: Operation): boolean {
  if (principal.directoryRoles.includes('Global Administrator')) return true;
  const base =
    principal.userType === 'Member' || principal.guestAccess === 'sameAsMembers' ? memberRights : guestRights;
  if (base.includes(operation)) return true;
  return principal.directoryRoles.some((role) => roleRights[role]?.includes(operation) ?? false);
}

/** Members, and guests the tenant treats like members, may see the whole directory (subject to scopes). */
export function seesDirectory(principal: UserPrincipal): boolean {
  return userHasRight(principal, 'readUsersBasic');
}
