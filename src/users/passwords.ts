import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id parameters (m = 19 MiB, t = 2, p = 1); see ../shared/BENCH.md.
const params = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, params);

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
