import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import type { Dialect } from '../db/connect.js';
import { commitGroupOf } from '../db/group-commit.js';
import type { Database, MailOutboxTable } from '../db/schema.js';
import { type Executor, type OutboxMail, toOutboxMail } from './outbox-store.js';
import { DEV_MAILBOX_TRANSPORT, redactedContent } from './redaction.js';

// The worker's side of the outbox: claiming due mails under a lease and recording outcomes. Every transition
// after the claim is guarded by the claim token, so only the current holder of a mail can complete it.
// A mail whose delivery is over (sent over a real transport, or failed for good) loses the secrets in its
// bodies in the same guarded UPDATE (redaction.ts): the worker sends from the pending row, nothing needs the
// live links afterwards. The bodies never change while a mail is pending or claimed, so the claimed copy the
// worker holds is what the row holds. A templated row (templated.ts) is rendered when claimed, just before
// sending; the outcome that ends its delivery redacts the live links in its template (redactedContent).

/** The claimed mail as the worker holds it: the claim it must present, and the bodies it claimed. */
export interface ClaimedMail {
  id: string;
  claimToken: string;
  html: string;
  text: string;
  /** The stored template (JSON) the bodies were rendered from, if any. */
  template: string | null;
}

/** A mail as claimed: what the worker sends, and the stored template its outcome redacts. */
export type ClaimedOutboxMail = OutboxMail & { template: string | null };

const claimedOf = (row: Selectable<MailOutboxTable>): ClaimedOutboxMail => ({
  ...toOutboxMail(row),
  template: row.template,
});

export interface ClaimOptions {
  now: Date;
  leaseUntil: Date;
  /** Fresh per claim: every later transition of the claimed rows must present it. */
  claimToken: string;
  batchSize: number;
  maxAttempts: number;
}

/** Due: pending and its time has come, or claimed by a worker whose lease ran out (it crashed or hung). */
function isDue(now: string, maxAttempts: number) {
  return (eb: ExpressionBuilder<Database, 'mail_outbox'>) =>
    eb.or([
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
      eb.and([
        eb('status', '=', 'sending'),
        eb('claimed_until', '<=', now),
        eb('attempts', '<', maxAttempts),
      ]),
    ]);
}

/**
 * The two kinds of due mail, each read through its own index in its own order and cut at `limit` there: leases
 * that ran out (their worker died; they have waited longest), and pending mails by due time. One OR over both
 * made SQLite and PostgreSQL gather every due row of both indexes and sort them all before the limit, so with a
 * backlog of thousands every claim cost milliseconds, and the backlog grew while it did.
 */
function dueQueries(db: Executor, now: string, options: ClaimOptions) {
  return {
    expired: db
      .selectFrom('mail_outbox')
      .select('id')
      .where('status', '=', 'sending')
      .where('claimed_until', '<=', now)
      .where('attempts', '<', options.maxAttempts)
      .orderBy('claimed_until')
      .limit(options.batchSize),
    pending: db
      .selectFrom('mail_outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(options.batchSize),
  };
}

/**
 * Instance-level: claims up to batchSize due mails for one worker, marking them `sending` under a lease and
 * counting the attempt up front (so a mail that crashes its worker still runs out of attempts).
 * PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows without waiting.
 * SQLite: one UPDATE … RETURNING; SQLite serialises writers, so two claims never overlap, and the rows its
 * subquery picks are still due when the same statement updates them. It joins the commit group
 * (src/db/group-commit.ts) of the requests queuing mail meanwhile instead of paying a commit alone.
 */
export async function claimDueMail(
  db: Kysely<Database>,
  dialect: Dialect,
  options: ClaimOptions,
): Promise<ClaimedOutboxMail[]> {
  const now = options.now.toISOString();
  const setClaimed = (eb: ExpressionBuilder<Database, 'mail_outbox'>) => ({
    status: 'sending' as const,
    claimed_until: options.leaseUntil.toISOString(),
    claim_token: options.claimToken,
    attempts: eb('attempts', '+', 1),
  });

  if (dialect === 'postgres') {
    const rows = await db.transaction().execute(async (trx) => {
      const { expired, pending } = dueQueries(trx, now, options);
      const lost = await expired.forUpdate().skipLocked().execute();
      const ids = lost.map((row) => row.id);
      if (ids.length < options.batchSize) {
        const waiting = await pending
          .limit(options.batchSize - ids.length)
          .forUpdate()
          .skipLocked()
          .execute();
        ids.push(...waiting.map((row) => row.id));
      }
      if (ids.length === 0) return [];
      return trx
        .updateTable('mail_outbox')
        .set(setClaimed)
        .where('id', 'in', ids)
        .where(isDue(now, options.maxAttempts))
        .returningAll()
        .execute();
    });
    return rows.map(claimedOf);
  }
  const rows = await commitGroupOf(db, dialect).statement((executor) => {
    const { expired, pending } = dueQueries(executor, now, options);
    // SQLite refuses ORDER BY and LIMIT inside a member of a compound select, but takes them in a subquery.
    const due = executor
      .selectFrom(expired.as('expired'))
      .select('id')
      .unionAll(executor.selectFrom(pending.as('pending')).select('id'))
      .limit(options.batchSize);
    return executor
      .updateTable('mail_outbox')
      .set(setClaimed)
      .where('id', 'in', due)
      .returningAll()
      .execute();
  });
  return rows.map(claimedOf);
}

/**
 * Instance-level: extends the lease of every mail still held under `claimToken` (the worker is alive and still
 * sending). Returns how many it still holds.
 */
export async function renewClaim(
  db: Kysely<Database>,
  claimToken: string,
  leaseUntil: Date,
): Promise<number> {
  const result = await db
    .updateTable('mail_outbox')
    .set({ claimed_until: leaseUntil.toISOString() })
    .where('claim_token', '=', claimToken)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Guarded: only the holder of the current claim can complete it. False means the lease was lost meanwhile.
 * The content is redacted, except for the dev mailbox, where the row as queued is the delivered message.
 */
export async function markMailSent(
  db: Executor,
  mail: ClaimedMail,
  outcome: { now: Date; deliveredVia: string },
): Promise<boolean> {
  return updateClaimed(db, mail, {
    ...(outcome.deliveredVia === DEV_MAILBOX_TRANSPORT ? {} : redactedContent(mail)),
    status: 'sent',
    sent_at: outcome.now.toISOString(),
    delivered_via: outcome.deliveredVia,
    claimed_until: null,
    claim_token: null,
    last_error: null,
  });
}

/**
 * Guarded like markMailSent: back to `pending` at nextAttemptAt (bodies kept: they are sent from), or
 * `failed` for good (bodies redacted).
 */
export async function markMailAttemptFailed(
  db: Executor,
  mail: ClaimedMail,
  outcome: { error: string; nextAttemptAt: Date; giveUp: boolean },
): Promise<boolean> {
  return updateClaimed(db, mail, {
    ...(outcome.giveUp ? redactedContent(mail) : {}),
    status: outcome.giveUp ? 'failed' : 'pending',
    next_attempt_at: outcome.nextAttemptAt.toISOString(),
    last_error: outcome.error.slice(0, 2000),
    claimed_until: null,
    claim_token: null,
  });
}

/** The one guard of every claimed-mail update: still `sending`, still under this worker's claim token. */
async function updateClaimed(
  db: Executor,
  mail: ClaimedMail,
  changes: Updateable<MailOutboxTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('mail_outbox')
    .set(changes)
    .where('id', '=', mail.id)
    .where('status', '=', 'sending')
    .where('claim_token', '=', mail.claimToken)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Instance-level: a lease that expired on its last allowed attempt ends as `failed` instead of being re-claimed,
 * its bodies redacted. Redacting needs each row's bodies, so the rows are read first and each is failed by an
 * UPDATE guarded by the same conditions and its claim token; when two workers race, each row is failed (and
 * returned) by one of them only.
 */
export async function failExhaustedLeases(
  db: Kysely<Database>,
  options: { now: Date; maxAttempts: number },
): Promise<Array<{ tenantId: string | null; id: string }>> {
  const now = options.now.toISOString();
  const exhausted = (eb: ExpressionBuilder<Database, 'mail_outbox'>) =>
    eb.and([
      eb('status', '=', 'sending'),
      eb('claimed_until', '<=', now),
      eb('attempts', '>=', options.maxAttempts),
    ]);
  const candidates = await db
    .selectFrom('mail_outbox')
    .select(['tenant_id', 'id', 'claim_token', 'html_body', 'text_body', 'template'])
    .where(exhausted)
    .execute();
  const failed: Array<{ tenantId: string | null; id: string }> = [];
  for (const row of candidates) {
    const result = await db
      .updateTable('mail_outbox')
      .set({
        // A templated row keeps its (redacted) template: nothing needs rendering here.
        ...redactedContent({ html: row.html_body, text: row.text_body, template: row.template }),
        status: 'failed',
        last_error: 'lease expired on the last attempt',
        claimed_until: null,
        claim_token: null,
      })
      .where('id', '=', row.id)
      .where(exhausted)
      .where((eb) =>
        row.claim_token === null ? eb('claim_token', 'is', null) : eb('claim_token', '=', row.claim_token),
      )
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) failed.push({ tenantId: row.tenant_id, id: row.id });
  }
  return failed;
}
