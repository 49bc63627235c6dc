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

/** Minutes left on a lock, or 0 when the account may be tried from this address. */
export async function lockedMinutes(services: Services, email: string, ip: string): Promise<number> {
  const row = await services.db
    .selectFrom('sign_in_failures')
    .select('locked_until')
    .where('key', '=', keyOf(email, ip))
    .executeTakeFirst();
  const left = row?.locked_until ? Date.parse(row.locked_until) - services.clock.now().getTime() : 0;
  return left > 0 ? Math.ceil(left / 60_000) : 0;
}

/** Records a failure; returns how long to hold the answer back (ms) and whether the account is now locked. */
export async function recordFailure(services: Services, email: string, ip: string) {
  const key = keyOf(email, ip);
  const now = services.clock.now();
  const row = await services.db
    .selectFrom('sign_in_failures')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  const fresh = !row || now.getTime() - Date.parse(row.first_failure_at) > FAILURE_WINDOW_MS;
  const failures = fresh ? 1 : row.failures + 1;
  const lockedUntil = failures >= LOCK_AFTER ? new Date(now.getTime() + LOCK_MS).toISOString() : null;
  await services.db
    .insertInto('sign_in_failures')
    .values({ key, failures, first_failure_at: now.toISOString(), locked_until: lockedUntil })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures,
        locked_until: lockedUntil,
        ...(fresh && { first_failure_at: now.toISOString() }),
      }),
    )
    .execute();
  const delayMs =
    failures > SLOW_DOWN_AFTER ? Math.min(1000, 100 * 2 ** (failures - SLOW_DOWN_AFTER - 1)) : 0;
  return { delayMs, locked: lockedUntil !== null };
}

export async function clearFailures(services: Services, email: string, ip: string): Promise<void> {
  await services.db.deleteFrom('sign_in_failures').where('key', '=', keyOf(email, ip)).execute();
}
