import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { type Executor, type OutboxMail, toOutboxMail } from './outbox-store.js';

// The worker's side of the outbox: claiming due mails under a lease and recording outcomes. Every transition
// after the claim is guarded by the claim token, so only the current holder of a mail can complete it.

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
 * Instance-level: claims up to batchSize due mails for one worker, marking them `sending` under a lease and
 * counting the attempt up front (so a mail that crashes its worker still runs out of attempts).
 * PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows without waiting.
 * SQLite: one guarded UPDATE … RETURNING; SQLite serialises writers, so two claims never overlap.
 */
export async function claimDueMail(
  db: Kysely<Database>,
  dialect: Dialect,
  options: ClaimOptions,
): Promise<OutboxMail[]> {
  const now = options.now.toISOString();
  const due = isDue(now, options.maxAttempts);
  const setClaimed = (eb: ExpressionBuilder<Database, 'mail_outbox'>) => ({
    status: 'sending' as const,
    claimed_until: options.leaseUntil.toISOString(),
    claim_token: options.claimToken,
    attempts: eb('attempts', '+', 1),
  });
  const claim = (executor: Executor, ids: string[]) =>
    executor
      .updateTable('mail_outbox')
      .set(setClaimed)
      .where('id', 'in', ids)
      .where(due)
      .returningAll()
      .execute();

  if (dialect === 'postgres') {
    const rows = await db.transaction().execute(async (trx) => {
      const candidates = await trx
        .selectFrom('mail_outbox')
        .select('id')
        .where(due)
        .orderBy('next_attempt_at')
        .limit(options.batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      return candidates.length === 0
        ? []
        : claim(
            trx,
            candidates.map((c) => c.id),
          );
    });
    return rows.map(toOutboxMail);
  }
  const rows = await db
    .updateTable('mail_outbox')
    .set(setClaimed)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('mail_outbox')
        .select('id')
        .where(due)
        .orderBy('next_attempt_at')
        .limit(options.batchSize),
    )
    .where(due)
    .returningAll()
    .execute();
  return rows.map(toOutboxMail);
}

/** Guarded: only the holder of the current claim can complete it. False means the lease was lost meanwhile. */
export async function markMailSent(
  db: Kysely<Database>,
  mail: { id: string; claimToken: string },
  outcome: { now: Date; deliveredVia: string },
): Promise<boolean> {
  const result = await db
    .updateTable('mail_outbox')
    .set({
      status: 'sent',
      sent_at: outcome.now.toISOString(),
      delivered_via: outcome.deliveredVia,
      claimed_until: null,
      claim_token: null,
      last_error: null,
    })
    .where('id', '=', mail.id)
    .where('status', '=', 'sending')
    .where('claim_token', '=', mail.claimToken)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Guarded like markMailSent: back to `pending` at nextAttemptAt, or `failed` for good. */
export async function markMailAttemptFailed(
  db: Kysely<Database>,
  mail: { id: string; claimToken: string },
  outcome: { error: string; nextAttemptAt: Date; giveUp: boolean },
): Promise<boolean> {
  const result = await db
    .updateTable('mail_outbox')
    .set({
      status: outcome.giveUp ? 'failed' : 'pending',
      next_attempt_at: outcome.nextAttemptAt.toISOString(),
      last_error: outcome.error.slice(0, 2000),
      claimed_until: null,
      claim_token: null,
    })
    .where('id', '=', mail.id)
    .where('status', '=', 'sending')
    .where('claim_token', '=', mail.claimToken)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Instance-level: a lease that expired on its last allowed attempt ends as `failed` instead of being re-claimed. */
export async function failExhaustedLeases(
  db: Kysely<Database>,
  options: { now: Date; maxAttempts: number },
): Promise<Array<{ tenantId: string; id: string }>> {
  const now = options.now.toISOString();
  const rows = await db
    .updateTable('mail_outbox')
    .set({
      status: 'failed',
      last_error: 'lease expired on the last attempt',
      claimed_until: null,
      claim_token: null,
    })
    .where('status', '=', 'sending')
    .where('claimed_until', '<=', now)
    .where('attempts', '>=', options.maxAttempts)
    .returning(['tenant_id', 'id'])
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
}
