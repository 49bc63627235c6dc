import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import type { InvitationRow } from '../invitations/store.js';
import { hashTicket } from '../invitations/tickets.js';
import { findTenantById, type TenantRow } from '../tenants/store.js';
import { findUser, type UserRow } from '../users/store.js';

export interface OpenInvitation {
  invitation: InvitationRow;
  tenant: TenantRow;
  guest: UserRow;
  /** Accepted already: the link leads to sign-in as that guest, never to a second binding. */
  redeemed: boolean;
}

const TICKET_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * The invitation a redeem link's ticket names (PRODUCT §4.2). The link names no tenant: the ticket's keyed hash
 * is unique across the instance. A replaced ticket (resend, reset) finds nothing, like a made-up one.
 */
export async function openTicket(services: Services, ticket: string | undefined): Promise<OpenInvitation> {
  const notValid = () => new FoyerError('redemptionLinkNotValid', 'The redeem link is not valid.');
  if (!ticket || !TICKET_SHAPE.test(ticket)) throw notValid();
  const invitation = await services.db
    .selectFrom('invitations')
    .selectAll()
    .where('ticket_hash', '=', hashTicket(services, ticket))
    .executeTakeFirst();
  if (!invitation) throw notValid();
  if (invitation.status === 'Revoked')
    throw new FoyerError('invitationRevoked', 'The invitation was revoked.');
  const expired =
    invitation.status === 'Expired' ||
    (invitation.status === 'PendingAcceptance' &&
      invitation.expires_at !== null &&
      invitation.expires_at <= services.clock.now().toISOString());
  if (expired) throw new FoyerError('invitationExpired', 'The invitation has expired.');
  const [tenant, guest] = await Promise.all([
    findTenantById(services.db, invitation.tenant_id),
    findUser(services.db, invitation.tenant_id, invitation.user_id),
  ]);
  if (!tenant || !guest) throw notValid();
  return { invitation, tenant, guest, redeemed: invitation.status === 'Accepted' };
}
