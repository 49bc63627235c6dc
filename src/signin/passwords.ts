import { setTimeout as sleep } from 'node:timers/promises';
import { findAccountByEmail } from '../accounts/store.js';
import type { Services } from '../app/services.js';
import type { HomeIdentity } from '../sessions/identity.js';
import { decoyPasswordHash, verifyPassword } from '../users/passwords.js';
import { clearFailures, failuresFrom, recordFailure } from './lockout.js';
import { findMemberByEmail } from './members.js';

export type PasswordOutcome =
  | { ok: true; identity: HomeIdentity }
  | { ok: false; reason: 'wrong' | 'disabled' }
  | { ok: false; reason: 'locked'; minutes: number };

/**
 * A password sign-in of a member account (of any tenant here) or a personal account. An unknown address runs
 * the same argon2 verification against a decoy and is counted like a known one, so neither timing nor the
 * answer tells whether an account exists.
 */
export async function signInWithPassword(
  services: Services,
  input: { email: string; password: string; ipAddress: string },
): Promise<PasswordOutcome> {
  const { email, ipAddress } = input;
  const failures = await failuresFrom(services, email, ipAddress);
  if (failures.lockedMinutes > 0) return { ok: false, reason: 'locked', minutes: failures.lockedMinutes };

  const member = await findMemberByEmail(services.db, email);
  const personal = member ? undefined : await findAccountByEmail(services.db, email);
  const stored = member?.user.password_hash ?? personal?.password_hash ?? (await decoyPasswordHash());
  // Verify first, always: an unknown address costs the same argon2 work as a known one.
  const verified = await verifyPassword(input.password, stored);
  const matches = verified && (member ?? personal) !== undefined;
  if (!matches) {
    const failure = await recordFailure(services, email, ipAddress);
    if (failure.delayMs > 0) await sleep(failure.delayMs);
    if (failure.locked)
      return {
        ok: false,
        reason: 'locked',
        minutes: (await failuresFrom(services, email, ipAddress)).lockedMinutes,
      };
    return { ok: false, reason: 'wrong' };
  }
  // A success forgets this address's failures. Most sign-ins have none to forget, and skip the write (a failure
  // that a parallel attempt counts meanwhile then stays until its window ends).
  if (failures.counted) await clearFailures(services, email, ipAddress);
  if (member) {
    if (member.user.account_enabled !== 1) return { ok: false, reason: 'disabled' };
    const { user, tenant } = member;
    return {
      ok: true,
      identity: {
        kind: 'member',
        tenantId: tenant.id,
        userId: user.id,
        // The address just proven: the member's UPN or mail on a domain its tenant verified. Never the `mail`
        // property as such, which an administrator may set to any address.
        email,
        name: user.display_name,
      },
    };
  }
  if (personal?.account_enabled !== 1) return { ok: false, reason: 'disabled' };
  return {
    ok: true,
    identity: {
      kind: 'personal',
      accountId: personal.id,
      email: personal.email,
      name: personal.display_name,
    },
  };
}
