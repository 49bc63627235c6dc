import { sql } from 'kysely';
import type { Executor } from '../db/executor.js';

/** Members and guests of a tenant. */
export async function countUsersByType(db: Executor, tenantId: string) {
  const rows = await db
    .selectFrom('users')
    .select(['user_type', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy('user_type')
    .execute();
  const of = (type: string) => Number(rows.find((r) => r.user_type === type)?.n ?? 0);
  return { members: of('Member'), guests: of('Guest') };
}

/**
 * Distinct guests with a successful sign-in per calendar month (UTC) from `since` (an ISO instant at a month's
 * start). Timestamps are ISO-8601 UTC text, so the month is the first seven characters on both dialects.
 */
export async function monthlyActiveGuests(db: Executor, tenantId: string, since: string) {
  const month = sql<string>`substr(sign_ins.created_at, 1, 7)`;
  const rows = await db
    .selectFrom('sign_ins')
    .innerJoin('users', (join) =>
      join.onRef('users.tenant_id', '=', 'sign_ins.tenant_id').onRef('users.id', '=', 'sign_ins.user_id'),
    )
    .select([month.as('month'), sql<string | number>`count(distinct sign_ins.user_id)`.as('n')])
    .where('sign_ins.tenant_id', '=', tenantId)
    .where('sign_ins.created_at', '>=', since)
    .where('sign_ins.result', '=', 'success')
    .where('users.user_type', '=', 'Guest')
    .groupBy(month)
    .execute();
  return new Map(rows.map((r) => [r.month, Number(r.n)]));
}
