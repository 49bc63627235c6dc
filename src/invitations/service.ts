import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { isUniqueViolation } from '../db/errors.js';
import { commitGroupOf } from '../db/group-commit.js';
import type { Database } from '../db/schema.js';
import { FoyerError, isFoyerError } from '../errors/catalogue.js';
import type { B2bPolicyDocument } from '../policies/b2b.js';
import { policiesOf } from '../policies/service.js';
import { findTenantById, type TenantRow } from '../tenants/store.js';
import { requireUser } from '../users/service.js';
import {
  deleteIdentities,
  findUsersByIds,
  insertSponsors,
  insertUserUnlessUpnTaken,
  rolesOfUser,
  type UserRow,
  updateUser,
} from '../users/store.js';
import { assertAdministrator, assertMayInvite } from './authorization.js';
import { guestUserPrincipalName, newGuestRow, toInvitationResource } from './guests.js';
import { type Inviter, inviterOf } from './inviter.js';
import { expiryFrom, raceLost } from './lifecycle.js';
import { queueInvitationMail } from './mail.js';
import { assertRecipientsInvitable, invitedGuestOf } from './recipients.js';
import type { InvitationBody, InvitationResource, MessageInfo } from './schemas.js';
import {
  findInvitationOfUser,
  findInvitingContext,
  type InvitationRow,
  insertInvitation,
  transition,
} from './store.js';
import { newTicket } from './tickets.js';

interface InviteContext {
  services: Services;
  principal: Principal;
  tenant: TenantRow;
  /** Read with the tenant before the transaction (findInvitingContext); the mail may need it. */
  homeTenantLanguage: string | null;
  inviter: Inviter;
  body: InvitationBody;
  now: string;
  expiresAt: string | null;
  within?: WithinInvitation | undefined;
}

/**
 * Work a caller adds to the invitation's own transaction (bulk invitations record each row's result there, so a
 * row's guest, mail and result commit together or not at all). Throwing rolls the invitation back.
 */
export type WithinInvitation = (
  trx: Transaction<Database>,
  outcome: { resource: InvitationResource; reinvited: boolean },
) => Promise<void>;

function messageInfoOf(body: InvitationBody): MessageInfo {
  const info = body.invitedUserMessageInfo;
  return {
    customizedMessageBody: info?.customizedMessageBody ?? null,
    messageLanguage: info?.messageLanguage ?? null,
    ccRecipients: (info?.ccRecipients ?? []).map((r) => ({
      emailAddress: { address: r.emailAddress.address, name: r.emailAddress.name ?? null },
    })),
  };
}

async function requireTenantRow(services: Services, tenantId: string): Promise<TenantRow> {
  const tenant = await findTenantById(services.db, tenantId);
  if (!tenant) throw new FoyerError('notFound', 'The organization no longer exists.');
  return tenant;
}

const ccOf = (info: Pick<MessageInfo, 'ccRecipients'>) =>
  info.ccRecipients.map((r) => r.emailAddress.address);

async function assertSponsors(
  services: Services,
  tenantId: string,
  sponsors: InvitationBody['invitedUserSponsors'],
) {
  const ids = [...new Set((sponsors ?? []).map((s) => s.id.toLowerCase()))];
  const found = await findUsersByIds(services.db, tenantId, ids);
  if (found.length !== ids.length)
    throw new FoyerError(
      'badRequest',
      'invitedUserSponsors: every sponsor must be a user of this organization.',
    );
  return ids;
}

/**
 * POST /invitations (PRODUCT §4.1): a new guest, or the existing guest with a fresh ticket; optional mail
 * through the outbox; all in one transaction with its audit entry.
 */
export async function invite(
  services: Services,
  principal: Principal,
  body: InvitationBody,
  options: { within?: WithinInvitation } = {},
): Promise<InvitationResource> {
  const email = body.invitedUserEmailAddress;
  const read = await findInvitingContext(services.db, principal.tenantId, email);
  const policies = policiesOf(read?.authorization_policy ?? null, read?.b2b_policy ?? null);
  await assertMayInvite(services, principal, policies.authorization);
  if (body.invitedUserType === 'Member') assertAdministrator(principal, 'invite users as members');
  if (body.resetRedemption) return resetRedemption(services, principal, body, policies.b2b);

  if (!read) throw new FoyerError('notFound', 'The organization no longer exists.');
  const { authorization_policy, b2b_policy, invitee_blocked, home_tenant_language, ...tenant } = read;
  await assertRecipientsInvitable(
    services,
    tenant.id,
    { invitee: email, cc: ccOf(messageInfoOf(body)), inviteeBlocked: invitee_blocked },
    policies.b2b,
  );
  const sponsors = await assertSponsors(services, tenant.id, body.invitedUserSponsors);
  const policy = policies.b2b;
  const now = services.clock.now();
  const context: InviteContext = {
    services,
    principal,
    tenant,
    homeTenantLanguage: home_tenant_language,
    inviter: await inviterOf(services, principal),
    body,
    now: now.toISOString(),
    expiresAt: expiryFrom(policy.invitationExpiryDays, now),
    within: options.within,
  };
  // Committed with the invitations of concurrent requests (src/db/group-commit.ts), answered after that commit.
  // A concurrent request for the same address can win a race: it created the guest first (the database
  // refuses the duplicate) or rotated the ticket first (the guarded update misses). Run again: the next attempt
  // finds its work and builds on it, so every caller gets the address's current guest and live link.
  for (let attempt = 1; ; attempt++) {
    try {
      return await commitGroupOf(services.db, services.dialect).run((trx) =>
        inviteInTransaction(trx, context, sponsors),
      );
    } catch (error) {
      const lostRace =
        isUniqueViolation(error) || (isFoyerError(error) && error.key === 'invitationStateConflict');
      if (!lostRace || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

const MAX_ATTEMPTS = 4;

/**
 * Inserts the new guest under its UPN (PRODUCT §1), made unique: a member or an earlier guest (whose address
 * changed on reset) may already hold the natural one, so a number goes before #EXT#, as Entra does. Each try
 * is one insert that writes nothing when the UPN is held, rather than a lookup followed by the insert.
 */
async function insertGuestUnderFreeUpn(
  trx: Transaction<Database>,
  context: InviteContext,
  email: string,
): Promise<UserRow> {
  for (let n = 0; n < 100; n++) {
    const upn = guestUserPrincipalName(email, context.tenant.default_domain, n === 0 ? '' : String(n));
    const user = newGuestRow(context, email, upn);
    if (await insertUserUnlessUpnTaken(trx, user)) return user;
  }
  throw new FoyerError('duplicateValue', `No free userPrincipalName is left for '${email}'.`);
}

async function inviteInTransaction(
  trx: Transaction<Database>,
  context: InviteContext,
  sponsors: string[],
): Promise<InvitationResource> {
  const { services, tenant, body, now } = context;
  const email = body.invitedUserEmailAddress;
  const existing = await invitedGuestOf(trx, tenant.id, email);
  const ticket = newTicket(services);
  const fields = {
    ticket_hash: ticket.hash,
    invite_redirect_url: body.inviteRedirectUrl,
    message_info: JSON.stringify(messageInfoOf(body)),
    send_invitation_message: body.sendInvitationMessage ? 1 : 0,
    inviter: JSON.stringify(context.inviter),
    updated_at: now,
    ...(body.sendInvitationMessage && { last_sent_at: now }),
  };

  let user: UserRow;
  let invitation: InvitationRow;
  let eventType: string;
  if (existing) {
    user = existing;
    const current = await findInvitationOfUser(trx, tenant.id, user.id);
    if (!current) throw raceLost();
    // Re-inviting a Member invitation (pending, revoked or expired) would mint a new ticket into the directory
    // as a member, or move its redirect URL: only administrators, whatever invitedUserType this body says.
    if (current.invited_user_type === 'Member') {
      assertAdministrator(context.principal, 'change a Member invitation');
    }
    const event = current.status === 'Revoked' || current.status === 'Expired' ? 'reinvite' : 'resend';
    const pending = event === 'reinvite' || current.status === 'PendingAcceptance';
    const changes = { ...fields, ...(pending && { expires_at: context.expiresAt, reminders_sent: 0 }) };
    // Guarded on the ticket too: a concurrent re-invite that rotated it first wins, and this one runs again.
    const status = await transition(trx, tenant.id, current, event, changes, {
      ticketHash: current.ticket_hash,
    });
    if (!status) throw raceLost();
    invitation = { ...current, ...changes, status };
    eventType = event === 'reinvite' ? 'invitation.created' : 'invitation.resent';
  } else {
    user = await insertGuestUnderFreeUpn(trx, context, email);
    const sponsorIds =
      sponsors.length > 0 ? sponsors : context.inviter.kind === 'user' ? [context.inviter.id] : [];
    await insertSponsors(trx, tenant.id, user.id, sponsorIds);
    invitation = {
      tenant_id: tenant.id,
      id: services.ids.objectId(),
      user_id: user.id,
      invited_email: email,
      invited_display_name: body.invitedUserDisplayName ?? null,
      invited_user_type: body.invitedUserType,
      status: 'PendingAcceptance',
      created_at: now,
      expires_at: context.expiresAt,
      last_sent_at: null,
      reminders_sent: 0,
      redeemed_at: null,
      ...fields,
    };
    await insertInvitation(trx, invitation);
    eventType = 'invitation.created';
  }

  if (body.sendInvitationMessage) {
    await queueInvitationMail(trx, services, {
      tenant,
      invitation,
      inviter: context.inviter,
      redeemUrl: ticket.redeemUrl,
      guestPreferredLanguage: user.preferred_language,
      created: !existing,
      homeTenantLanguage: context.homeTenantLanguage,
    });
  }
  await publish(trx, services, {
    type: eventType,
    tenantId: tenant.id,
    actor: actorOf(context.principal),
    targets: [userTarget(user)],
    details: {
      invitationId: invitation.id,
      invitedUserEmailAddress: email,
      sendInvitationMessage: String(body.sendInvitationMessage),
    },
    correlationId: services.ids.uuid(),
  });
  const resource = toInvitationResource(services, invitation, user, ticket.redeemUrl, false);
  await context.within?.(trx, { resource, reinvited: existing !== undefined });
  return resource;
}

/**
 * resetRedemption (PRODUCT §4.1): the guest returns to PendingAcceptance, its bound identity is released, and
 * its object id, UPN, group memberships and app assignments stay. The new address may differ from the old.
 */
async function resetRedemption(
  services: Services,
  principal: Principal,
  body: InvitationBody,
  policy: B2bPolicyDocument,
): Promise<InvitationResource> {
  assertAdministrator(principal, 'reset a redemption');
  if (!body.invitedUser) {
    throw new FoyerError('badRequest', "resetRedemption requires 'invitedUser' with the guest's object id.");
  }
  const tenant = await requireTenantRow(services, principal.tenantId);
  const user = await requireUser(services, tenant.id, body.invitedUser.id);
  if (user.user_type === 'Member' && user.creation_type !== 'Invitation') {
    throw new FoyerError(
      'invitedUserIsMember',
      `User ${user.id} is a member of this organization; only guests can have their redemption reset.`,
    );
  }
  if (principal.kind === 'app' && (await rolesOfUser(services.db, tenant.id, user.id)).length > 0) {
    throw new FoyerError(
      'forbidden',
      'Applications may not reset the redemption of users who hold a directory role.',
    );
  }
  const email = body.invitedUserEmailAddress;
  await assertRecipientsInvitable(
    services,
    tenant.id,
    { invitee: email, cc: ccOf(messageInfoOf(body)) },
    policy,
  );
  const inviter = await inviterOf(services, principal);
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const expiresAt = expiryFrom(policy.invitationExpiryDays, now);
  const ticket = newTicket(services);

  try {
    return await services.db.transaction().execute(async (trx) => {
      // The new address may not belong to anyone else here: a member (inviting a member is refused) or another
      // guest (one guest per address).
      const holder = await invitedGuestOf(trx, tenant.id, email, user.id);
      if (holder) {
        throw new FoyerError(
          'duplicateValue',
          `Another guest of this organization already uses the address '${email}'.`,
        );
      }
      // The bound home identity is released: the next redemption binds a new one.
      await deleteIdentities(trx, tenant.id, user.id);
      const userChanges = {
        mail: email,
        other_mails: JSON.stringify([email]),
        creation_type: 'Invitation',
        external_user_state: 'PendingAcceptance',
        external_user_state_changed_at: nowIso,
        // The released identity's sessions and refresh tokens at this tenant end with it (src/oidc/account.ts).
        sign_in_sessions_valid_from: nowIso,
        consented_at: null,
      };
      await updateUser(trx, tenant.id, user.id, userChanges);
      const fields = {
        ticket_hash: ticket.hash,
        invited_email: email,
        invited_display_name: body.invitedUserDisplayName ?? user.display_name,
        invite_redirect_url: body.inviteRedirectUrl,
        message_info: JSON.stringify(messageInfoOf(body)),
        send_invitation_message: body.sendInvitationMessage ? 1 : 0,
        inviter: JSON.stringify(inviter),
        updated_at: nowIso,
        expires_at: expiresAt,
        reminders_sent: 0,
        redeemed_at: null,
        last_sent_at: body.sendInvitationMessage ? nowIso : null,
      };
      const current = await findInvitationOfUser(trx, tenant.id, user.id);
      let invitation: InvitationRow;
      if (current) {
        const status = await transition(trx, tenant.id, current, 'reset', fields, {
          ticketHash: current.ticket_hash,
        });
        if (!status) throw raceLost();
        invitation = { ...current, ...fields, status };
      } else {
        // A guest added without an invitation gets its first invitation row here.
        invitation = {
          tenant_id: tenant.id,
          id: services.ids.objectId(),
          user_id: user.id,
          invited_user_type: user.user_type,
          status: 'PendingAcceptance',
          created_at: nowIso,
          ...fields,
        };
        await insertInvitation(trx, invitation);
      }
      const resetUser = { ...user, ...userChanges };
      if (body.sendInvitationMessage) {
        await queueInvitationMail(trx, services, {
          tenant,
          invitation,
          inviter,
          redeemUrl: ticket.redeemUrl,
          guestPreferredLanguage: user.preferred_language,
        });
      }
      await publish(trx, services, {
        type: 'guest.reset',
        tenantId: tenant.id,
        actor: actorOf(principal),
        targets: [userTarget(user)],
        details: { invitationId: invitation.id, invitedUserEmailAddress: email },
        correlationId: services.ids.uuid(),
      });
      return toInvitationResource(services, invitation, resetUser, ticket.redeemUrl, true);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new FoyerError(
        'duplicateValue',
        `Another user of this organization already uses the address '${email}'.`,
      );
    }
    throw error;
  }
}
