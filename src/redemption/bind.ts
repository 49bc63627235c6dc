import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { isUniqueViolation } from '../db/errors.js';
import { FoyerError } from '../errors/catalogue.js';
import { type InvitationRow, transition } from '../invitations/store.js';
import { bindingOf, type HomeIdentity } from '../sessions/identity.js';
import type { UserRow } from '../users/store.js';

const guestActor = (guest: UserRow, ipAddress: string) => ({
  kind: 'user' as const,
  id: guest.id,
  displayName: guest.display_name,
  name: guest.user_principal_name,
  ipAddress,
});

/**
 * Accepting "Review permissions" on a pending invitation (PRODUCT §4.3): in one transaction, a guarded
 * transition PendingAcceptance → Accepted conditioned on the ticket the person holds, the home identity bound
 * to the guest, its state and consent time, and the audit event. Two redemptions of one ticket: the guarded
 * update lets exactly one win; the other gets "already redeemed".
 */
export async function redeemInvitation(
  services: Services,
  input: {
    invitation: InvitationRow;
    guest: UserRow;
    identity: HomeIdentity;
    organizationName: string;
    ipAddress: string;
    jit: boolean;
  },
): Promise<void> {
  const { invitation, guest, identity } = input;
  const now = services.clock.now().toISOString();
  const binding = bindingOf(identity, services.config.baseUrl);
  try {
    await services.db.transaction().execute(async (trx) => {
      const status = await transition(
        trx,
        invitation.tenant_id,
        invitation,
        'redeem',
        { redeemed_at: now, updated_at: now },
        { ticketHash: invitation.ticket_hash },
      );
      if (!status) {
        throw new FoyerError('invitationRedeemedByOther', 'The invitation was redeemed by another request.');
      }
      await trx
        .insertInto('user_identities')
        .values({
          tenant_id: invitation.tenant_id,
          user_id: guest.id,
          sign_in_type: binding.signInType,
          issuer: binding.issuer,
          issuer_assigned_id: binding.issuerAssignedId,
        })
        .execute();
      await trx
        .updateTable('users')
        .set({ external_user_state: 'Accepted', external_user_state_changed_at: now, consented_at: now })
        .where('tenant_id', '=', invitation.tenant_id)
        .where('id', '=', guest.id)
        .execute();
      await publish(trx, services, {
        type: 'invitation.redeemed',
        tenantId: invitation.tenant_id,
        actor: guestActor(guest, input.ipAddress),
        targets: [userTarget(guest)],
        details: {
          invitationId: invitation.id,
          identityIssuer: binding.issuer,
          redemption: input.jit ? 'justInTime' : 'link',
        },
        correlationId: services.ids.uuid(),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new FoyerError('identityAlreadyGuest', 'This identity is already bound to another guest.', {
        pageValues: { email: identity.email, organization: input.organizationName },
      });
    }
    throw error;
  }
}

/** A guest added without an invitation accepts "Review permissions" at its first sign-in. */
export async function recordConsent(services: Services, guest: UserRow, ipAddress: string): Promise<void> {
  const now = services.clock.now().toISOString();
  await services.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ consented_at: now })
      .where('tenant_id', '=', guest.tenant_id)
      .where('id', '=', guest.id)
      .where('consented_at', 'is', null)
      .execute();
    await publish(trx, services, {
      type: 'guest.consented',
      tenantId: guest.tenant_id,
      actor: guestActor(guest, ipAddress),
      targets: [userTarget(guest)],
      correlationId: services.ids.uuid(),
    });
  });
}
