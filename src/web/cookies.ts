import { cookiesMustBeSecure } from '../app/cookies.js';
import type { ResolvedConfig } from '../app/services.js';

/**
 * Cookie attributes of every cookie Foyer sets for pages: never readable by scripts, sent on top-level
 * navigations from other sites (an app redirecting to sign-in) but not on their sub-requests, and `Secure`
 * exactly when the public address is https (behind the TLS proxy).
 */
export function cookieOptions(config: Pick<ResolvedConfig, 'baseUrl'>, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookiesMustBeSecure(config),
    ...(maxAgeSeconds !== undefined && { maxAge: maxAgeSeconds }),
  };
}
