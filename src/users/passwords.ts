import { onFirstUse } from '../platform/lazy.js';

// OWASP's argon2id parameters (m = 19 MiB, t = 2, p = 1); see ../shared/BENCH.md.
const params = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The native argon2 binding is loaded by the first password hashed or checked, not at start-up. */
const loadArgon2 = onFirstUse(() => import('@node-rs/argon2'));

export const hashPassword = async (password: string): Promise<string> =>
  (await loadArgon2()).hash(password, params);

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  try {
    return await (await loadArgon2()).verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * The password policy (README "Sign-in"): 12 to 256 characters, not one character repeated. Length is what
 * resists guessing (NIST SP 800-63B §5.1.1.2); no composition rules, which only make passwords predictable.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function meetsPasswordPolicy(password: string): boolean {
  const length = [...password].length;
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH && !/^(.)\1*$/su.test(password);
}

/** A hash to verify against when the account does not exist, so unknown addresses take as long as known ones. */
let decoyHash: Promise<string> | undefined;
export const decoyPasswordHash = (): Promise<string> => {
  decoyHash ??= hashPassword('decoy password that never matches anything');
  return decoyHash;
};
