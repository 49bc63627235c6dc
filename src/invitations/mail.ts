import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import type { Database } from '../db/schema.js';
import {
  composeInvitationMail,
  enqueueMail,
  matchShippedLanguage,
  withdrawPendingMails,
} from '../mail/index.js';
import { emailDomain } from '../platform/text.js';
import { findTenantByRef, type TenantRow } from '../tenants/store.js';
import type { Inviter } from './inviter.js';
import type { MessageInfo } from './schemas.js';
import { type InvitationRow, isBlocked } from './store.js';
import { blockUrl } from './tickets.js';

/** The home tenant's language: the tenant on this instance that owns the address's domain, if any. */
async function homeTenantLanguage(trx: Transaction<Database>, email: string): Promise<string | null> {
  const home = await findTenantByRef(trx, emailDomain(email));
  return home?.default_language ?? null;
}

/**
 * Queues the invitation (or reminder) mail in the caller's transaction: it commits with the ticket it carries,
 * or not at all. The custom message is dropped for app-only senders (PRODUCT §4.4).
 *
 * The cc recipient gets a copy of its own, without the block link: that link is signed for the invited address
 * and would let the cc block (or unblock) invitations on the invitee's behalf.
 *
 * A new ticket kills the old one, so mails of this invitation still waiting in the outbox carry a dead link:
 * they are withdrawn here. Concurrent re-invites then leave one queued mail, the one with the live ticket.
 */
export async function queueInvitationMail(
  trx: Transaction<Database>,
  services: Services,
  input: {
    tenant: TenantRow;
    invitation: InvitationRow;
    inviter: Inviter;
    redeemUrl: string;
    guestPreferredLanguage: string | null;
    kind?: 'invitation' | 'reminder';
    /** The invitation was created in this transaction: no mail of it can be waiting, nothing to withdraw. */
    created?: boolean;
    /** The invitee's home tenant language when the caller has read it already (null: none); else looked up. */
    homeTenantLanguage?: string | null;
  },
) {
  const { tenant, invitation, inviter } = input;
  const info = JSON.parse(invitation.message_info) as MessageInfo;
  if (!input.created) {
    await withdrawPendingMails(trx, tenant.id, invitation.id, ['invitation', 'invitation.reminder']);
  }
  const content = {
    inviterName: inviter.displayName,
    organizationName: tenant.display_name,
    organizationDomain: tenant.default_domain,
    redeemUrl: input.redeemUrl,
    customMessage: inviter.kind === 'user' ? info.customizedMessageBody : null,
    privacyStatementUrl: tenant.privacy_statement_url,
    logoUrl: tenant.logo_url,
  };
  // The home tenant only matters when neither the message's nor the guest's own language is one Foyer ships
  // (PRODUCT §4.4 precedence): otherwise its lookup is a statement for nothing.
  const decided =
    matchShippedLanguage(info.messageLanguage) ?? matchShippedLanguage(input.guestPreferredLanguage);
  const common = {
    tenantId: tenant.id,
    kind: input.kind ?? 'invitation',
    inviterMail: inviter.kind === 'user' ? inviter.mail : null,
    languages: {
      messageLanguage: info.messageLanguage,
      guestPreferredLanguage: input.guestPreferredLanguage,
      homeTenantLanguage: decided
        ? null
        : input.homeTenantLanguage !== undefined
          ? input.homeTenantLanguage
          : await homeTenantLanguage(trx, invitation.invited_email),
      invitingTenantLanguage: tenant.default_language,
    },
    relatedId: invitation.id,
  } as const;
  const invitee = await enqueueMail(
    trx,
    services,
    composeInvitationMail({
      ...common,
      to: { address: invitation.invited_email, name: invitation.invited_display_name },
      content: {
        ...content,
        blockUrl: blockUrl(services, tenant.id, invitation.id, invitation.invited_email),
      },
    }),
  );
  for (const cc of info.ccRecipients) {
    // Refused when the invitation was sent; a reminder days later must still honour a block made since.
    if (await isBlocked(trx, tenant.id, cc.emailAddress.address)) continue;
    await enqueueMail(
      trx,
      services,
      composeInvitationMail({
        ...common,
        to: { address: cc.emailAddress.address, name: cc.emailAddress.name },
        content: { ...content, blockUrl: null },
      }),
    );
  }
  return invitee;
}
