import type { Services } from '../app/services.js';
import { countFailure, LOCK_MS } from '../signin/lockout.js';

/**
 * Wrong second factors per user object, counted like password failures (src/signin/lockout.ts: atomic counters in
 * the database, shared by every instance). A 6-digit code falls to guessing without a limit, so after
 * MFA_LOCK_AFTER wrong TOTP or recovery codes within the window the user's MFA is locked for LOCK_MS, from every
 * address: whoever guesses already has the first factor, so the lock protects the account, not an address.
 */
export const MFA_LOCK_AFTER = 5;

const keyOf = (tenantId: string, userId: string) => `mfa:${tenantId}:${userId}`;

/** Minutes left on the lock, or 0. */
export async function mfaLockedMinutes(
  services: Services,
  tenantId: string,
  userId: string,
): Promise<number> {
  const row = await services.db
    .selectFrom('sign_in_failures')
    .select('locked_until')
    .where('key', '=', keyOf(tenantId, userId))
    .executeTakeFirst();
  const left = row?.locked_until ? Date.parse(row.locked_until) - services.clock.now().getTime() : 0;
  return left > 0 ? Math.ceil(left / 60_000) : 0;
}

/** Counts a wrong code; returns the minutes of the lock it caused, or 0. */
export async function recordMfaFailure(
  services: Services,
  tenantId: string,
  userId: string,
): Promise<number> {
  const now = services.clock.now();
  const key = keyOf(tenantId, userId);
  const failures = await countFailure(services, key, now);
  if (failures < MFA_LOCK_AFTER) return 0;
  await services.db
    .updateTable('sign_in_failures')
    .set({ locked_until: new Date(now.getTime() + LOCK_MS).toISOString() })
    .where('key', '=', key)
    .execute();
  return Math.ceil(LOCK_MS / 60_000);
}

export async function clearMfaFailures(services: Services, tenantId: string, userId: string): Promise<void> {
  await services.db.deleteFrom('sign_in_failures').where('key', '=', keyOf(tenantId, userId)).execute();
}
