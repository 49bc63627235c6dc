import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import type { ResolvedConfig } from '../app/services.js';

/**
 * Lifetimes of the provider's artefacts, in seconds. Access tokens follow FOYER_ACCESS_TOKEN_TTL_SECONDS; the
 * others follow Entra's defaults where it documents one.
 */
export const ID_TOKEN_TTL_SECONDS = 3600;
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
/** A sign-in in progress: long enough to fetch a mailed code and create an account, short for abandoned ones. */
export const INTERACTION_TTL_SECONDS = 30 * 60;
/** A provider session that names nobody (a logout or authorize request of a signed-out browser). */
export const ANONYMOUS_SESSION_TTL_SECONDS = 10 * 60;
/** A sign-in session; the one-time passcode session of PRODUCT.md §4.3 lasts 24 hours. */
export const SESSION_TTL_SECONDS = 24 * 3600;
export const GRANT_TTL_SECONDS = 90 * 24 * 3600;
export const REFRESH_TOKEN_TTL_SECONDS = 90 * 24 * 3600;
/** Entra's lifetime of a single-page app's refresh token, counted from the sign-in. */
export const SPA_REFRESH_TOKEN_TTL_SECONDS = 24 * 3600;

/**
 * A refresh token lives 90 days from its last use (each rotation issues a new one), within its grant's 90 days
 * from the last interactive sign-in. A single-page app's lasts 24 hours from the sign-in however often it rotates
 * (its successor inherits what remains), as in Entra: a browser's storage is the easiest place to steal one from.
 */
export function refreshTokenTtl(
  ctx: KoaContextWithOIDC | undefined,
  _token: unknown,
  client: Client | undefined,
): number {
  if (!client?.foyer_spa) return REFRESH_TOKEN_TTL_SECONDS;
  return ctx?.oidc.entities.RotatedRefreshToken?.remainingTTL ?? SPA_REFRESH_TOKEN_TTL_SECONDS;
}

/** Clock skew allowed between instances and relying parties. */
export const CLOCK_TOLERANCE_SECONDS = 15;

/**
 * How long an instance keeps using the signing keys it loaded before checking the database again. The rotation
 * grace period (FOYER_KEY_ROTATION_GRACE_SECONDS, at least 60) is longer, so every instance publishes a new key
 * before any instance signs with it.
 */
export const SIGNING_KEY_CACHE_SECONDS = 30;

/**
 * How long a retired signing key stays in the JWKS: the longest lifetime of any token it may have signed
 * (refresh tokens are opaque, stored rows, and need no key), plus the clock tolerance, plus the key cache (an
 * instance may sign with it that long after its retirement).
 */
export function retiredKeyRetentionSeconds(config: Pick<ResolvedConfig, 'accessTokenTtlSeconds'>): number {
  return (
    Math.max(config.accessTokenTtlSeconds, ID_TOKEN_TTL_SECONDS) +
    CLOCK_TOLERANCE_SECONDS +
    SIGNING_KEY_CACHE_SECONDS
  );
}
