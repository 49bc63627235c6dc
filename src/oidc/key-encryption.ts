import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for private signing keys, and the provider's cookie keys, all derived from FOYER_SECRET
 * with HKDF-SHA-256 (RFC 5869) so one configured secret never serves two purposes directly.
 */

const FORMAT = 'v1';
const derived = new Map<string, Buffer>();

/** A 32-byte key for one purpose (`info`), derived from the instance secret; memoised (HKDF is cheap, not free). */
export function deriveKey(secret: string, info: string): Buffer {
  const cacheKey = `${info}\u0000${secret}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'foyer', info, 32));
    derived.set(cacheKey, key);
  }
  return key;
}

const SIGNING_KEYS = 'foyer/oidc/signing-key-encryption/v1';

/**
 * AES-256-GCM with a random 96-bit IV, under the key HKDF derives for `purpose` (so each kind of stored secret
 * has its own key). `context` (e.g. tenant id and kid) is bound as additional authenticated data, so a ciphertext
 * copied onto another row or tenant fails to decrypt instead of silently becoming its secret.
 */
export function encryptAtRest(secret: string, purpose: string, context: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, purpose), iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The reverse of encryptAtRest; throws when the secret, purpose or context differ. */
export function decryptAtRest(secret: string, purpose: string, context: string, stored: string): string {
  const [format, iv, ciphertext, tag] = stored.split('.');
  if (format !== FORMAT || !iv || ciphertext === undefined || !tag) {
    throw new Error('Unrecognised encryption format.');
  }
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}

export function encryptPrivateKey(secret: string, context: string, plaintext: string): string {
  return encryptAtRest(secret, SIGNING_KEYS, context, plaintext);
}

export function decryptPrivateKey(secret: string, context: string, stored: string): string {
  try {
    return decryptAtRest(secret, SIGNING_KEYS, context, stored);
  } catch (cause) {
    throw new Error('A signing key could not be decrypted: was FOYER_SECRET changed?', { cause });
  }
}
