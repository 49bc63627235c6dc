import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { can, isAdministrator, requirePermission } from '../graph/permissions.js';
import type { Principal } from '../graph/principal.js';
import type { AuthorizationPolicyDocument } from '../policies/schemas.js';
import { findUser } from '../users/store.js';

const denied = (message: string) => new FoyerError('forbidden', message);

/**
 * Who may invite (PRODUCT §4.1): authorizationPolicy.allowInvitesFrom for people, User.Invite.All (or a
 * broader user permission) for applications. `none` stops everyone, applications included, as in Entra.
 */
export async function assertMayInvite(
  services: Services,
  principal: Principal,
  { allowInvitesFrom }: AuthorizationPolicyDocument,
): Promise<void> {
  if (allowInvitesFrom === 'none') {
    throw new FoyerError('invitationsDisabled', 'Guest invitations are turned off for this organization.');
  }
  if (principal.kind === 'app') return requirePermission(principal, 'invite');

  if (isAdministrator(principal)) return;
  if (principal.directoryRoles.includes('Guest Inviter')) return;
  const user = await findUser(services.db, principal.tenantId, principal.objectId);
  const allowed =
    (user?.user_type === 'Member' && allowInvitesFrom === 'adminsGuestInvitersAndAllMembers') ||
    allowInvitesFrom === 'everyone';
  if (!allowed) throw denied('Your organization does not allow you to invite guests.');
}

/** Inviting as a Member, and resetting a redemption, are administrator operations. */
export function assertAdministrator(principal: Principal, what: string): void {
  const admin = principal.kind === 'app' ? can(principal, 'writeUsers') : isAdministrator(principal);
  if (!admin) throw denied(`Only administrators may ${what}.`);
}

/**
 * Revoking is cleaning up, not inviting: it stays possible when allowInvitesFrom is `none`. Applications need
 * an invitation permission; people need an administrator or Guest Inviter role.
 */
export function assertMayManageInvitations(principal: Principal): void {
  if (principal.kind === 'app') {
    requirePermission(principal, 'invite');
  } else if (!isAdministrator(principal) && !principal.directoryRoles.includes('Guest Inviter')) {
    throw denied('Only administrators and guest inviters may revoke invitations.');
  }
}
