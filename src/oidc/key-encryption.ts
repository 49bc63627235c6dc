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

const signingKeyEncryptionKey = (secret: string) => deriveKey(secret, 'foyer/oidc/signing-key-encryption/v1');

/**
 * AES-256-GCM with a random 96-bit IV. `context` (tenant id and kid) is bound as additional authenticated data,
 * so a ciphertext copied onto another row or tenant fails to decrypt instead of silently becoming its key.
 */
export function encryptPrivateKey(secret: string, context: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', signingKeyEncryptionKey(secret), iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function decryptPrivateKey(secret: string, context: string, stored: string): string {
  const [format, iv, ciphertext, tag] = stored.split('.');
  if (format !== FORMAT || !iv || ciphertext === undefined || !tag) {
    throw new Error('Unrecognised signing key encryption format.');
  }
  const decipher = createDecipheriv(
    'aes-256-gcm',
    signingKeyEncryptionKey(secret),
    Buffer.from(iv, 'base64url'),
  );
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (cause) {
    throw new Error('A signing key could not be decrypted: was FOYER_SECRET changed?', { cause });
  }
}
