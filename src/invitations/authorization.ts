import type { Services } from '../app/services.js';
import { authorize, can, denied, isAdministrator } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import type { AuthorizationPolicyDocument } from '../policies/schemas.js';

/**
 * Who may invite (PRODUCT §4.1): authorizationPolicy.allowInvitesFrom for people (who also need a delegated
 * scope that allows inviting), User.Invite.All (or a broader user permission) for applications. `none` stops
 * everyone, applications included, as in Entra.
 */
export async function assertMayInvite(
  _services: Services,
  principal: Principal,
  { allowInvitesFrom }: AuthorizationPolicyDocument,
): Promise<void> {
  if (allowInvitesFrom === 'none') {
    throw new FoyerError('invitationsDisabled', 'Guest invitations are turned off for this organization.');
  }
  authorize(principal, 'invite');
  if (principal.kind !== 'user') return;
  // Roles and user type were read from the directory when the request was authenticated (src/auth/resolve.ts).
  if (can(principal, 'manageInvitations')) return;
  const allowed =
    (principal.userType === 'Member' && allowInvitesFrom === 'adminsGuestInvitersAndAllMembers') ||
    allowInvitesFrom === 'everyone';
  if (!allowed) throw denied('Your organization does not allow you to invite guests.');
}

/** Inviting as a Member, resetting a redemption, and anything done to a Member invitation: administrators. */
export function assertAdministrator(principal: Principal, what: string): void {
  if (!isAdministrator(principal)) throw denied(`Only administrators may ${what}.`);
}

/**
 * Resending or revoking someone's invitation. Revoking is cleaning up, not inviting: it stays possible when
 * allowInvitesFrom is `none`. Applications need an invitation permission; people an administrator or Guest
 * Inviter role. A Member invitation needs an administrator, whatever the operation (a Member redeems into the
 * organisation's own directory).
 */
export function assertMayManageInvitation(
  principal: Principal,
  invitation: { invited_user_type: string },
  what: string,
): void {
  if (invitation.invited_user_type === 'Member') {
    assertAdministrator(principal, `${what} a Member invitation`);
    return;
  }
  if (!can(principal, 'manageInvitations')) {
    throw denied(`Only administrators and guest inviters may ${what} invitations.`);
  }
}
