import type { Services } from '../app/services.js';
import { systemActor, userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { domainRefusal } from '../policies/b2b.js';
import { getB2bPolicy } from '../policies/service.js';
import { findTenantById } from '../tenants/store.js';
import { findUser } from '../users/store.js';
import type { Inviter } from './inviter.js';
import { queueInvitationMail } from './mail.js';
import { type InvitationRow, transition } from './store.js';
import { newTicket } from './tickets.js';

const DAY_MS = 86_400_000;

/** Tenants that opted into expiry or reminders (off by default: Entra invitations never expire). */
async function tenantsWithDeadlines(services: Services): Promise<string[]> {
  // Instance-level by design: the job walks every tenant's policy document.
  const rows = await services.db
    .selectFrom('policies')
    .select(['tenant_id', 'document'])
    .where('policy_type', '=', 'b2bManagementPolicy')
    .execute();
  return rows
    .filter((row) => {
      const doc = JSON.parse(row.document) as {
        invitationExpiryDays?: number | null;
        invitationReminderDays?: number[];
      };
      return Boolean(doc.invitationExpiryDays) || (doc.invitationReminderDays?.length ?? 0) > 0;
    })
    .map((row) => row.tenant_id);
}

/**
 * Expires pending invitations past their deadline and sends due reminders. A reminder carries a fresh ticket
 * (tickets are stored hashed, so the old link cannot be re-sent): the reminder's link is the live one.
 */
export async function processInvitationDeadlines(
  services: Services,
): Promise<{ expired: number; reminded: number }> {
  let expired = 0;
  let reminded = 0;
  const now = services.clock.now();
  for (const tenantId of await tenantsWithDeadlines(services)) {
    const [tenant, policy] = await Promise.all([
      findTenantById(services.db, tenantId),
      getB2bPolicy(services.db, tenantId),
    ]);
    if (!tenant) continue;
    const reminderDays = [...policy.invitationReminderDays].sort((a, b) => a - b);
    const pending = await services.db
      .selectFrom('invitations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'PendingAcceptance')
      .execute();
    for (const invitation of pending) {
      if (invitation.expires_at && invitation.expires_at <= now.toISOString()) {
        if (await expire(services, invitation)) expired++;
        continue;
      }
      const nextDay = reminderDays[invitation.reminders_sent];
      const sentAt = invitation.last_sent_at ? Date.parse(invitation.last_sent_at) : undefined;
      // No reminder for an address the domain policy refuses since it was invited: redemption would fail.
      const redeemable = domainRefusal(policy, invitation.invited_email) === null;
      if (
        nextDay !== undefined &&
        sentAt !== undefined &&
        redeemable &&
        sentAt + nextDay * DAY_MS <= now.getTime()
      ) {
        if (await remind(services, tenant, invitation)) reminded++;
      }
    }
  }
  return { expired, reminded };
}

async function expire(services: Services, invitation: InvitationRow): Promise<boolean> {
  return services.db.transaction().execute(async (trx) => {
    const status = await transition(trx, invitation.tenant_id, invitation, 'expire', {
      updated_at: services.clock.now().toISOString(),
    });
    if (!status) return false;
    await publish(trx, services, {
      type: 'invitation.expired',
      tenantId: invitation.tenant_id,
      actor: systemActor,
      targets: [{ id: invitation.user_id, type: 'User', displayName: invitation.invited_display_name }],
      details: { invitationId: invitation.id },
      correlationId: services.ids.uuid(),
    });
    return true;
  });
}

async function remind(
  services: Services,
  tenant: NonNullable<Awaited<ReturnType<typeof findTenantById>>>,
  invitation: InvitationRow,
): Promise<boolean> {
  const user = await findUser(services.db, tenant.id, invitation.user_id);
  if (!user) return false;
  const ticket = newTicket(services);
  return services.db.transaction().execute(async (trx) => {
    const changes = {
      ticket_hash: ticket.hash,
      reminders_sent: invitation.reminders_sent + 1,
      updated_at: services.clock.now().toISOString(),
    };
    // Guarded on the ticket too: a resend that raced this reminder keeps its own (newer) link.
    const status = await transition(trx, tenant.id, invitation, 'resend', changes, {
      ticketHash: invitation.ticket_hash,
    });
    if (!status) return false;
    await queueInvitationMail(trx, services, {
      tenant,
      invitation: { ...invitation, ...changes },
      inviter: JSON.parse(invitation.inviter) as Inviter,
      redeemUrl: ticket.redeemUrl,
      guestPreferredLanguage: user.preferred_language,
      kind: 'reminder',
    });
    await publish(trx, services, {
      type: 'invitation.reminded',
      tenantId: tenant.id,
      actor: systemActor,
      targets: [userTarget(user)],
      details: { invitationId: invitation.id, reminder: String(changes.reminders_sent) },
      correlationId: services.ids.uuid(),
    });
    return true;
  });
}
