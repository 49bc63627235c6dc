import type { Services } from '../app/services.js';
import { type Actor, userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import { getTenantPolicies } from '../policies/service.js';
import { findTenantById } from '../tenants/store.js';
import { findUser } from '../users/store.js';
import { assertAdministrator, assertMayInvite, assertMayManageInvitation } from './authorization.js';
import { toInvitationResource } from './guests.js';
import { inviterOf } from './inviter.js';
import { expiryFrom, raceLost } from './lifecycle.js';
import { queueInvitationMail } from './mail.js';
import { assertRecipientsInvitable } from './recipients.js';
import type { InvitationResource, MessageInfo } from './schemas.js';
import { block, findInvitation, type InvitationRow, isBlocked, transition, unblock } from './store.js';
import { blockSignatureMatches, newTicket } from './tickets.js';

async function requireInvitation(services: Services, tenantId: string, id: string): Promise<InvitationRow> {
  const invitation = await findInvitation(services.db, tenantId, id.toLowerCase());
  if (!invitation) throw new FoyerError('notFound', `Invitation '${id}' does not exist.`);
  return invitation;
}

/**
 * Resend (a Foyer extension): a new ticket replaces the old one (the previous link dies) and the invitation
 * mail goes out again through the outbox.
 */
export async function resendInvitation(
  services: Services,
  principal: Principal,
  id: string,
): Promise<InvitationResource> {
  const tenantId = principal.tenantId;
  const policies = await getTenantPolicies(services.db, tenantId);
  await assertMayInvite(services, principal, policies.authorization);
  const invitation = await requireInvitation(services, tenantId, id);
  // A new ticket for a Member invitation is a way into the directory as a member: administrators only.
  if (invitation.invited_user_type === 'Member') assertAdministrator(principal, 'resend a Member invitation');
  const { ccRecipients } = JSON.parse(invitation.message_info) as MessageInfo;
  await assertRecipientsInvitable(
    services,
    tenantId,
    { invitee: invitation.invited_email, cc: ccRecipients.map((r) => r.emailAddress.address) },
    policies.b2b,
  );
  const [tenant, user, inviter] = await Promise.all([
    findTenantById(services.db, tenantId),
    findUser(services.db, tenantId, invitation.user_id),
    inviterOf(services, principal),
  ]);
  if (!tenant || !user) throw new FoyerError('notFound', `Invitation '${id}' does not exist.`);
  const ticket = newTicket(services);
  const clock = services.clock.now();
  const now = clock.toISOString();
  const { invitationExpiryDays } = policies.b2b;
  return services.db.transaction().execute(async (trx) => {
    const changes = {
      ticket_hash: ticket.hash,
      updated_at: now,
      last_sent_at: now,
      send_invitation_message: 1,
      // A resent pending invitation gets a full lifetime again, as a new invitation would.
      ...(invitation.status === 'PendingAcceptance' && {
        expires_at: expiryFrom(invitationExpiryDays, clock),
        reminders_sent: 0,
      }),
    };
    const status = await transition(trx, tenantId, invitation, 'resend', changes, {
      ticketHash: invitation.ticket_hash,
    });
    if (!status) throw raceLost();
    const updated = { ...invitation, ...changes, status };
    await queueInvitationMail(trx, services, {
      tenant,
      invitation: updated,
      inviter,
      redeemUrl: ticket.redeemUrl,
      guestPreferredLanguage: user.preferred_language,
    });
    await publish(trx, services, {
      type: 'invitation.resent',
      tenantId,
      actor: actorOf(principal),
      targets: [userTarget(user)],
      details: { invitationId: invitation.id, invitedUserEmailAddress: invitation.invited_email },
      correlationId: services.ids.uuid(),
    });
    return toInvitationResource(services, updated, user, ticket.redeemUrl, false);
  });
}

/** Revoke (a Foyer extension): a pending invitation's ticket stops working; the guest object stays. */
export async function revokeInvitation(services: Services, principal: Principal, id: string): Promise<void> {
  const tenantId = principal.tenantId;
  const invitation = await requireInvitation(services, tenantId, id);
  assertMayManageInvitation(principal, invitation, 'revoke');
  await services.db.transaction().execute(async (trx) => {
    const status = await transition(trx, tenantId, invitation, 'revoke', {
      updated_at: services.clock.now().toISOString(),
    });
    if (!status) throw new FoyerError('invitationStateConflict', 'Only a pending invitation can be revoked.');
    await publish(trx, services, {
      type: 'invitation.revoked',
      tenantId,
      actor: actorOf(principal),
      targets: [{ id: invitation.user_id, type: 'User', displayName: invitation.invited_display_name }],
      details: { invitationId: invitation.id, invitedUserEmailAddress: invitation.invited_email },
      correlationId: services.ids.uuid(),
    });
  });
}

/** What the block page shows: the organisation, the address, and whether it is blocked now. */
export async function describeBlockLink(
  services: Services,
  tenantId: string,
  invitationId: string,
  sig: string,
) {
  const [tenant, invitation] = await Promise.all([
    findTenantById(services.db, tenantId),
    findInvitation(services.db, tenantId, invitationId),
  ]);
  if (!tenant || !invitation) return undefined;
  // Signed for the address the mail went to: after a reset to another address, the old link is dead.
  if (!blockSignatureMatches(services, tenantId, invitationId, invitation.invited_email, sig))
    return undefined;
  return { tenant, invitation, blocked: await isBlocked(services.db, tenantId, invitation.invited_email) };
}

/**
 * The recipient blocks (or unblocks) future invitations from this organisation. Blocking also revokes a
 * pending invitation, so its link stops working.
 */
export async function setBlocked(
  services: Services,
  input: { tenantId: string; invitationId: string; sig: string; blocked: boolean; ipAddress: string },
): Promise<boolean> {
  const link = await describeBlockLink(services, input.tenantId, input.invitationId, input.sig);
  if (!link) return false;
  const { invitation } = link;
  const email = invitation.invited_email;
  const actor: Actor = {
    kind: 'user',
    id: null,
    displayName: email,
    name: email,
    ipAddress: input.ipAddress,
  };
  const now = services.clock.now().toISOString();
  await services.db.transaction().execute(async (trx) => {
    if (input.blocked) {
      await block(trx, input.tenantId, email, now);
      if (invitation.status === 'PendingAcceptance') {
        await transition(trx, input.tenantId, invitation, 'revoke', { updated_at: now });
      }
    } else {
      await unblock(trx, input.tenantId, email);
    }
    await publish(trx, services, {
      type: input.blocked ? 'invitation.blocked' : 'invitation.unblocked',
      tenantId: input.tenantId,
      actor,
      targets: [{ id: invitation.user_id, type: 'User', displayName: email }],
      details: { invitationId: invitation.id },
      correlationId: services.ids.uuid(),
    });
  });
  return true;
}
