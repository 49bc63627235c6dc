import { randomBytes } from 'node:crypto';
import { onFirstUse } from '../platform/lazy.js';
import { hashSecret } from '../platform/secrets.js';

/** otpauth serves sign-ins with MFA and enrolments only. */
const loadOtpauth = onFirstUse(() => import('otpauth'));

/**
 * TOTP as authenticator apps expect it (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps), through otpauth. A code
 * of the step before or after the current one is accepted too (RFC 6238 §5.2: clocks drift, people type slowly);
 * the step it matched is what the store remembers, so the same code is never accepted twice.
 */
const PERIOD = 30;
const DIGITS = 6;

type Otpauth = Awaited<ReturnType<typeof loadOtpauth>>;

function totpOf({ Secret, TOTP }: Otpauth, base32: string, issuer = 'Foyer', label = 'Foyer') {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    secret: Secret.fromBase32(base32),
  });
}

/** A new 160-bit secret (RFC 4226 §4 recommends 160 bits), as base32 text. */
export async function newTotpSecret(): Promise<string> {
  const { Secret } = await loadOtpauth();
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code: the organization as issuer, the user as label. */
export const totpUri = async (base32: string, issuer: string, label: string): Promise<string> =>
  totpOf(await loadOtpauth(), base32, issuer, label).toString();

/**
 * The URI as an SVG QR code, for an <img> data URL: no inline script or style, so the strict CSP holds. qrcode is
 * loaded on the first enrolment, not at start-up, which it would lengthen by ~3% for a page few requests need.
 */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The time step a code belongs to (within one step of now), or null when it matches none. */
export async function matchingStep(base32: string, code: string, now: Date): Promise<number | null> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const timestamp = now.getTime();
  const otpauth = await loadOtpauth();
  const delta = totpOf(otpauth, base32).validate({ token, timestamp, window: 1 });
  return delta === null ? null : otpauth.TOTP.counter({ period: PERIOD, timestamp }) + delta;
}

/** Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied by hand is unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_COUNT = 10;

/** Ten recovery codes of 50 random bits each, shown as `XXXXX-XXXXX`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((byte) => ALPHABET[byte & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * A recovery code's keyed hash (HMAC-SHA-256, as client secrets: high-entropy random, so a fast keyed hash is as
 * strong as a slow KDF), bound to the tenant and user. Case, spaces and dashes do not matter when typed.
 */
export function recoveryCodeHash(secret: string, tenantId: string, userId: string, code: string): string {
  const normalized = code.toUpperCase().replace(/[\s-]+/g, '');
  return hashSecret(`mfa-recovery:${tenantId}:${userId}:${normalized}`, secret);
}
