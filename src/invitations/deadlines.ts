import type { ExpressionBuilder } from 'kysely';
import type { Services } from '../app/services.js';
import { systemActor, userTarget } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import type { Database } from '../db/schema.js';
import { type B2bPolicyDocument, domainRefusal } from '../policies/b2b.js';
import { parsePolicy } from '../policies/service.js';
import { findTenantById } from '../tenants/store.js';
import { findUsersByIds, type UserRow } from '../users/store.js';
import type { Inviter } from './inviter.js';
import { queueInvitationMail } from './mail.js';
import { type InvitationRow, transition } from './store.js';
import { newTicket } from './tickets.js';

const DAY_MS = 86_400_000;

/** At most this many invitations expire, and this many reminders go out, per tenant per run. */
export const DEADLINE_BATCH_SIZE = 200;

type Tenant = NonNullable<Awaited<ReturnType<typeof findTenantById>>>;

/** Tenants that opted into expiry or reminders (off by default: Entra invitations never expire). */
async function tenantsWithDeadlines(
  services: Services,
): Promise<Array<{ tenantId: string; policy: B2bPolicyDocument }>> {
  // Instance-level by design: the job walks every tenant's policy document (one row per tenant).
  const rows = await services.db
    .selectFrom('policies')
    .select(['tenant_id', 'document'])
    .where('policy_type', '=', 'b2bManagementPolicy')
    .execute();
  return rows.flatMap((row) => {
    const doc = JSON.parse(row.document) as {
      invitationExpiryDays?: number | null;
      invitationReminderDays?: number[];
    };
    const optedIn = Boolean(doc.invitationExpiryDays) || (doc.invitationReminderDays?.length ?? 0) > 0;
    return optedIn ? [{ tenantId: row.tenant_id, policy: parsePolicy('b2bManagementPolicy', doc) }] : [];
  });
}

/**
 * Expires pending invitations past their deadline and sends due reminders. Only due rows are read (the
 * deadlines are compared in SQL: timestamps are ISO-8601 UTC text, ordered as strings), at most
 * `batchSize` expiries and reminders per tenant per run; the rest wait for the next run. A reminder carries
 * a fresh ticket (tickets are stored hashed, so the old link cannot be re-sent): the reminder's link is the
 * live one.
 */
export async function processInvitationDeadlines(
  services: Services,
  { batchSize = DEADLINE_BATCH_SIZE }: { batchSize?: number } = {},
): Promise<{ expired: number; reminded: number }> {
  let expired = 0;
  let reminded = 0;
  const now = services.clock.now();
  for (const { tenantId, policy } of await tenantsWithDeadlines(services)) {
    const tenant = await findTenantById(services.db, tenantId);
    if (!tenant) continue;
    expired += await expireDue(services, tenantId, now, batchSize);
    reminded += await remindDue(services, tenant, policy, now, batchSize);
  }
  return { expired, reminded };
}

const pending = (eb: ExpressionBuilder<Database, 'invitations'>) => eb('status', '=', 'PendingAcceptance');

async function expireDue(services: Services, tenantId: string, now: Date, batchSize: number) {
  const due = await services.db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(pending)
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now.toISOString())
    .orderBy('expires_at')
    .limit(batchSize)
    .execute();
  let expired = 0;
  for (const invitation of due) if (await expire(services, invitation)) expired++;
  return expired;
}

/**
 * Sends the reminders due under the tenant's invitationReminderDays (sorted d0 < d1 < …): the n-th reminder
 * once `reminders_sent = n` and `last_sent_at <= now - dn`. Rows are paged by id so invitations that stay due
 * without being reminded (their domain has been refused since) cannot hold the others back.
 */
async function remindDue(
  services: Services,
  tenant: Tenant,
  policy: B2bPolicyDocument,
  now: Date,
  batchSize: number,
): Promise<number> {
  const reminderDays = [...policy.invitationReminderDays].sort((a, b) => a - b);
  if (reminderDays.length === 0) return 0;
  const nowIso = now.toISOString();
  const query = services.db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenant.id)
    .where(pending)
    .where('send_invitation_message', '=', 1)
    // Past its deadline it expires instead (in this run or, beyond the batch, in the next).
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso)]))
    .where((eb) =>
      eb.or(
        reminderDays.map((days, sent) =>
          eb.and([
            eb('reminders_sent', '=', sent),
            eb('last_sent_at', '<=', new Date(now.getTime() - days * DAY_MS).toISOString()),
          ]),
        ),
      ),
    )
    .orderBy('id')
    .limit(batchSize);

  let reminded = 0;
  let after: string | undefined;
  while (reminded < batchSize) {
    const page = await (after === undefined ? query : query.where('id', '>', after)).execute();
    // No reminder for an address the domain policy refuses since it was invited: redemption would fail.
    const redeemable = page.filter((invitation) => domainRefusal(policy, invitation.invited_email) === null);
    const users = new Map(
      (
        await findUsersByIds(
          services.db,
          tenant.id,
          redeemable.map((invitation) => invitation.user_id),
        )
      ).map((user) => [user.id, user]),
    );
    for (const invitation of redeemable) {
      const user = users.get(invitation.user_id);
      if (reminded < batchSize && user && (await remind(services, tenant, invitation, user))) reminded++;
    }
    if (page.length < batchSize) break;
    after = page[page.length - 1]?.id;
  }
  return reminded;
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
  tenant: Tenant,
  invitation: InvitationRow,
  user: UserRow,
): Promise<boolean> {
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
