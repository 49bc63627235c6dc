import { sql } from 'kysely';
import type { Services } from '../app/services.js';

/**
 * Password failures per account and client address (issue: slow down, then lock that account for that
 * address for a while). Counted in the database, so every instance sees the same count; an unknown address is
 * counted like a known one, so the lock reveals nothing.
 */
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const SLOW_DOWN_AFTER = 3;
export const LOCK_AFTER = 10;
export const LOCK_MS = 15 * 60_000;

const keyOf = (email: string, ip: string) => `pwd:${email.toLowerCase()}:${ip}`;

/**
 * This account's failures from this client address: the minutes left on a lock (0 when it may be tried) and
 * whether any failure is counted at all (most sign-ins have none, and then nothing needs clearing).
 */
export async function failuresFrom(
  services: Services,
  email: string,
  ip: string,
): Promise<{ lockedMinutes: number; counted: boolean }> {
  const row = await services.db
    .selectFrom('sign_in_failures')
    .select('locked_until')
    .where('key', '=', keyOf(email, ip))
    .executeTakeFirst();
  const left = row?.locked_until ? Date.parse(row.locked_until) - services.clock.now().getTime() : 0;
  return { lockedMinutes: left > 0 ? Math.ceil(left / 60_000) : 0, counted: row !== undefined };
}

/**
 * Counts one failure under `key` atomically (parallel failures cannot lose updates): a count older than the
 * window starts again at one. Returns the count.
 */
export async function countFailure(services: Services, key: string, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString();
  const row = await services.db
    .insertInto('sign_in_failures')
    .values({ key, failures: 1, first_failure_at: now.toISOString(), locked_until: null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when sign_in_failures.first_failure_at > ${windowStart} then sign_in_failures.failures + 1 else 1 end`,
        first_failure_at: sql<string>`case when sign_in_failures.first_failure_at > ${windowStart} then sign_in_failures.first_failure_at else ${now.toISOString()} end`,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

/**
 * Records a failure. The account locks for this client address after LOCK_AFTER failures from it; every address
 * together slows the account down (not a lock: an attacker elsewhere must not lock a person out of their own
 * network). Returns how long to hold the answer back (ms) and whether the account is now locked here.
 */
export async function recordFailure(services: Services, email: string, ip: string) {
  const now = services.clock.now();
  const key = keyOf(email, ip);
  const [fromHere, fromAnywhere] = await Promise.all([
    countFailure(services, key, now),
    countFailure(services, `pwd:${email.toLowerCase()}:*`, now),
  ]);
  const locked = fromHere >= LOCK_AFTER;
  if (locked) {
    await services.db
      .updateTable('sign_in_failures')
      .set({ locked_until: new Date(now.getTime() + LOCK_MS).toISOString() })
      .where('key', '=', key)
      .execute();
  }
  const slowness = Math.max(fromHere, Math.floor(fromAnywhere / 3));
  const delayMs =
    slowness > SLOW_DOWN_AFTER ? Math.min(1000, 100 * 2 ** (slowness - SLOW_DOWN_AFTER - 1)) : 0;
  return { delayMs, locked };
}

export async function clearFailures(services: Services, email: string, ip: string): Promise<void> {
  await services.db.deleteFrom('sign_in_failures').where('key', '=', keyOf(email, ip)).execute();
}
