import type { Services } from '../app/services.js';
import { isUniqueViolation } from '../db/errors.js';
import { hashPassword } from '../users/passwords.js';
import { findAccountByEmail, insertAccount, type PersonalAccountRow, updateAccount } from './store.js';

/**
 * Personal accounts (PRODUCT §1): an instance-wide namespace, like Microsoft accounts. Created at redemption or
 * sign-up once the address is verified by a mailed code; signed in to with a password.
 */
export async function createPersonalAccount(
  services: Services,
  input: { email: string; displayName: string; password: string; preferredLanguage: string | null },
): Promise<PersonalAccountRow | 'exists'> {
  const now = services.clock.now().toISOString();
  const row: PersonalAccountRow = {
    id: services.ids.uuid(),
    email: input.email,
    email_lower: input.email.toLowerCase(),
    display_name: input.displayName,
    password_hash: await hashPassword(input.password),
    preferred_language: input.preferredLanguage,
    account_enabled: 1,
    created_at: now,
    password_changed_at: now,
  };
  try {
    await insertAccount(services.db, row);
    return row;
  } catch (error) {
    // Two tabs finishing sign-up at once: the unique address decides, the loser signs in instead.
    if (isUniqueViolation(error)) return 'exists';
    throw error;
  }
}

export async function setPersonalPassword(services: Services, email: string, password: string) {
  const account = await findAccountByEmail(services.db, email);
  if (!account) return undefined;
  const now = services.clock.now().toISOString();
  await updateAccount(services.db, account.id, {
    password_hash: await hashPassword(password),
    password_changed_at: now,
  });
  return account;
}
