import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import type { Database } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import { type B2bPolicyDocument, domainRefusal } from '../policies/b2b.js';
import type { UserRow } from '../users/store.js';
import { findAddressHolder, isBlocked } from './store.js';

// Who may receive an invitation, and who already holds an address: the checks invite, reset and resend share.

/**
 * Refusals that depend on the address only: domain policy and the recipient's own block. Checked whenever an
 * invitation mail or a new ticket goes to the address: invite, reset, and resend.
 */
async function assertAddressInvitable(
  services: Services,
  tenantId: string,
  email: string,
  policy: B2bPolicyDocument,
  role = 'recipient',
  blocked?: boolean,
): Promise<void> {
  const refusal = domainRefusal(policy, email);
  if (refusal) throw new FoyerError('invitationDomainNotAllowed', refusal);
  if (blocked ?? (await isBlocked(services.db, tenantId, email))) {
    throw new FoyerError(
      'invitationBlockedByRecipient',
      `The ${role} '${email}' has asked not to receive invitations from this organization.`,
    );
  }
}

/**
 * The invited address and every cc recipient: a cc copy is the same invitation mail, so an address the domain
 * policy refuses, or that blocked this organisation, may not receive it that way either. `inviteeBlocked`:
 * already read by the caller (findInvitingContext), so not asked again.
 */
export async function assertRecipientsInvitable(
  services: Services,
  tenantId: string,
  recipients: { invitee: string; cc: readonly string[]; inviteeBlocked?: boolean },
  policy: B2bPolicyDocument,
): Promise<void> {
  await assertAddressInvitable(
    services,
    tenantId,
    recipients.invitee,
    policy,
    'recipient',
    recipients.inviteeBlocked,
  );
  for (const address of recipients.cc) {
    await assertAddressInvitable(services, tenantId, address, policy, 'cc recipient');
  }
}

/**
 * The invited guest whose address this is (a re-invite), or undefined (a new guest). Anyone else this address
 * names — a member by UPN, mail, otherMails or identity, a guest added without invitation, another guest
 * bound to it — makes the invitation a 400. The message never names the holder's object id: an app that may
 * only invite must not learn who is in the directory by probing addresses.
 */
export async function invitedGuestOf(
  trx: Transaction<Database>,
  tenantId: string,
  email: string,
  except?: string,
): Promise<UserRow | undefined> {
  const holder = await findAddressHolder(trx, tenantId, email);
  if (!holder || holder.id === except) return undefined;
  // Matched by mail, whichever subquery found the holder (a member's UPN may equal the address too).
  const sameMail = holder.mail?.toLowerCase() === email.toLowerCase();
  if (holder.creation_type === 'Invitation' && sameMail) return holder;
  if (holder.creation_type === 'Invitation') {
    throw new FoyerError(
      'duplicateValue',
      `Another guest of this organization already uses the address '${email}'.`,
    );
  }
  throw new FoyerError(
    'invitedUserIsMember',
    `'${email}' already belongs to a ${holder.user_type === 'Member' ? 'member' : 'guest added without invitation'} of this organization; it cannot be invited.`,
  );
}
