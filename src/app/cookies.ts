import type { Config } from '../config/index.js';

/**
 * Whether cookies Foyer sets must carry `Secure`: exactly when the public address (FOYER_BASE_URL) is https.
 * Decided by configuration, never by the request: behind a TLS-terminating proxy the hop to Foyer is plain
 * HTTP, and a forwarded header must not be able to turn the flag off.
 */
export function cookiesMustBeSecure(config: Pick<Config, 'baseUrl'>): boolean {
  return new URL(config.baseUrl).protocol === 'https:';
}
