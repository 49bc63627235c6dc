import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keyed hash for high-entropy secrets (client secrets, tickets, operator tokens). They are random,
 * so a fast HMAC is as strong as a slow KDF here and keeps the token endpoint fast (BENCH.md).
 */
export function hashSecret(secret: string, key: string): string {
  return createHmac('sha256', key).update(secret).digest('base64url');
}

export function secretMatches(secret: string, hash: string, key: string): boolean {
  const candidate = Buffer.from(hashSecret(secret, key));
  const expected = Buffer.from(hash);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
