import { type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { InvitationStatus, InvitationsTable } from '../db/schema.js';
import type { UserRow } from '../users/store.js';
import { type InvitationEvent, nextState, sourcesOf } from './lifecycle.js';

export type InvitationRow = Selectable<InvitationsTable>;

export async function insertInvitation(db: Executor, row: InvitationRow): Promise<void> {
  await db.insertInto('invitations').values(row).execute();
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

/** LIKE's own characters escaped (`_` is common in addresses), for a pattern matched with ESCAPE '\\'. */
const likeLiteral = (value: string) => value.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * The user of the tenant this address names, in this order of preference: the user whose mail it is (guest or
 * member, the oldest first), then the one who signs in with it as userPrincipalName, then by a bound identity,
 * then a member listing it among otherMails (PRODUCT §4.1: inviting a member's address is refused, never a
 * second, guest object). One statement: each alternative is an indexed lookup (SQLite's multi-index OR,
 * PostgreSQL's bitmap OR), and otherMails (a JSON array) is searched among members only — an invited guest's is
 * its own mail.
 */
export async function findAddressHolder(
  db: Executor,
  tenantId: string,
  email: string,
): Promise<UserRow | undefined> {
  const lower = email.toLowerCase();
  // One whole element of the JSON array (no quotes in a valid address), LIKE's wildcards escaped.
  const element = `%"${likeLiteral(lower)}"%`;
  const identities = db
    .selectFrom('user_identities')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where((ib) => ib(ib.fn('lower', ['issuer_assigned_id']), '=', lower));
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['mail']), '=', lower),
        eb(eb.fn('lower', ['user_principal_name']), '=', lower),
        eb('id', 'in', identities),
        eb.and([
          eb('user_type', '=', 'Member'),
          sql<boolean>`lower(other_mails) like ${element} escape '\\'`,
        ]),
      ]),
    )
    .orderBy((eb) =>
      eb
        .case()
        .when(eb.fn('lower', ['mail']), '=', lower)
        .then(0)
        .when(eb.fn('lower', ['user_principal_name']), '=', lower)
        .then(1)
        .when('id', 'in', identities)
        .then(2)
        .else(3)
        .end(),
    )
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

export async function isBlocked(db: Executor, tenantId: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('invitation_blocks')
    .select('email_lower')
    .where('tenant_id', '=', tenantId)
    .where('email_lower', '=', email.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

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
