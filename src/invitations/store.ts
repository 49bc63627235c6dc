import { type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../db/executor.js';
import { prepared, preparedInsert } from '../db/prepared.js';
import type { InvitationStatus, InvitationsTable } from '../db/schema.js';
import { emailDomain } from '../platform/text.js';
import type { TenantRow } from '../tenants/store.js';
import type { UserRow } from '../users/store.js';
import { type InvitationEvent, nextState, sourcesOf } from './lifecycle.js';

export type InvitationRow = Selectable<InvitationsTable>;

const insertInvitationRow = preparedInsert<'invitations', InvitationRow>('invitations');

export async function insertInvitation(db: Executor, row: InvitationRow): Promise<void> {
  await insertInvitationRow(db, row);
}

export async function findInvitation(db: Executor, tenantId: string, id: string) {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findInvitationOfUser(db: Executor, tenantId: string, userId: string) {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * Applies a lifecycle event with a guarded UPDATE: it only changes a row still in the very state the new one
 * was computed from (one of the event's sources) and, when given, still holding the expected ticket. Returns
 * the new status, or undefined when another request won the race.
 */
export async function transition(
  db: Executor,
  tenantId: string,
  invitation: Pick<InvitationRow, 'id' | 'status'>,
  event: InvitationEvent,
  changes: Updateable<InvitationsTable>,
  guard: { ticketHash?: string } = {},
): Promise<InvitationStatus | undefined> {
  const status = nextState(invitation.status, event);
  let query = db
    .updateTable('invitations')
    .set({ ...changes, status })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', invitation.id)
    .where('status', 'in', sourcesOf(event))
    // Exactly the snapshot's state, not just any source: `resend` keeps Accepted as Accepted, so a resend (or a
    // reminder) read before a concurrent redemption must not write PendingAcceptance back over it.
    .where('status', '=', invitation.status);
  if (guard.ticketHash) query = query.where('ticket_hash', '=', guard.ticketHash);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? status : undefined;
}

/**
 * invitedGuestOf's question in one statement: the user this address names, looked for in the order a person
 * would be recognised — by mail, then by userPrincipalName, by a bound identity, and by an entry of a member's
 * otherMails (PRODUCT §4.1). Each is its own scalar subquery on its own index, and COALESCE stops at the first
 * that finds someone; asked as four statements, a new guest (found by none) cost four round trips through the
 * driver. (One OR or UNION ALL over the same indexes is planned by SQLite as a scan of the tenant's users.)
 */
export async function findAddressHolder(
  db: Executor,
  tenantId: string,
  email: string,
): Promise<UserRow | undefined> {
  const lower = email.toLowerCase();
  const [holder] = await addressHolder(db, tenantId, lower);
  return holder;
}

const addressHolder = prepared<UserRow, [string, string]>(2, (db, tenantId, lower) => {
  const byMail = db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb(eb.fn('lower', ['mail']), '=', lower))
    .orderBy('created_at')
    .limit(1);
  const byUpn = db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb(eb.fn('lower', ['user_principal_name']), '=', lower));
  const byIdentity = db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('user_identities')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where((ib) => ib(ib.fn('lower', ['issuer_assigned_id']), '=', lower)),
    )
    .orderBy('created_at')
    .limit(1);
  // A whole element of a member's otherMails, by equality on user_other_mails' key (kept by triggers from
  // users.other_mails, migration 018): a LIKE over the JSON text scanned every member of the tenant.
  const byOtherMail = db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('user_type', '=', 'Member')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('user_other_mails')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where('address_lower', '=', lower),
    )
    .orderBy('created_at')
    .limit(1);
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`id = coalesce(${byMail}, ${byUpn}, ${byIdentity}, ${byOtherMail})`);
});

/**
 * What POST /invitations reads before its transaction, in one statement: the tenant, its two policy documents
 * (null when never changed), whether the invited address blocked this organisation, and the language of the
 * invitee's home tenant (the tenant on this instance with the address's domain verified, if any), which the
 * mail may need (src/invitations/mail.ts). Five statements before.
 */
export async function findInvitingContext(
  db: Executor,
  tenantId: string,
  email: string,
): Promise<
  | (TenantRow & {
      authorization_policy: string | null;
      b2b_policy: string | null;
      invitee_blocked: boolean;
      home_tenant_language: string | null;
    })
  | undefined
> {
  const lowerEmail = email.toLowerCase();
  const [row] = await invitingContext(db, tenantId, lowerEmail, emailDomain(lowerEmail));
  return row && { ...row, invitee_blocked: Boolean(row.invitee_blocked) };
}

const invitingContext = prepared<
  TenantRow & {
    authorization_policy: string | null;
    b2b_policy: string | null;
    invitee_blocked: unknown;
    home_tenant_language: string | null;
  },
  [string, string, string]
>(3, (db, tenantId, lowerEmail, domain) =>
  db
    .selectFrom('tenants')
    .selectAll('tenants')
    .select((eb) => [
      eb
        .selectFrom('policies')
        .select('document')
        .where('tenant_id', '=', tenantId)
        .where('policy_type', '=', 'authorizationPolicy')
        .as('authorization_policy'),
      eb
        .selectFrom('policies')
        .select('document')
        .where('tenant_id', '=', tenantId)
        .where('policy_type', '=', 'b2bManagementPolicy')
        .as('b2b_policy'),
      eb
        .exists(
          eb
            .selectFrom('invitation_blocks')
            .select('email_lower')
            .where('tenant_id', '=', tenantId)
            .where('email_lower', '=', lowerEmail),
        )
        .as('invitee_blocked'),
      eb
        .selectFrom('tenant_domains')
        .innerJoin('tenants as home', 'home.id', 'tenant_domains.tenant_id')
        .select('home.default_language')
        .where('tenant_domains.domain', '=', domain)
        .where('tenant_domains.verified', '=', 1)
        .limit(1)
        .as('home_tenant_language'),
    ])
    .where('id', '=', tenantId),
);

export async function isBlocked(db: Executor, tenantId: string, email: string): Promise<boolean> {
  const rows = await blockOf(db, tenantId, email.toLowerCase());
  return rows.length > 0;
}

const blockOf = prepared<{ email_lower: string }, [string, string]>(2, (db, tenantId, lowerEmail) =>
  db
    .selectFrom('invitation_blocks')
    .select('email_lower')
    .where('tenant_id', '=', tenantId)
    .where('email_lower', '=', lowerEmail),
);

export async function block(db: Executor, tenantId: string, email: string, now: string): Promise<void> {
  await db
    .insertInto('invitation_blocks')
    .values({ tenant_id: tenantId, email_lower: email.toLowerCase(), created_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function unblock(db: Executor, tenantId: string, email: string): Promise<void> {
  await db
    .deleteFrom('invitation_blocks')
    .where('tenant_id', '=', tenantId)
    .where('email_lower', '=', email.toLowerCase())
    .execute();
}
