import type { Services } from '../app/services.js';
import { hashSecret } from '../platform/secrets.js';
import type { PasswordRow } from './store.js';

/** Default lifetime of a client secret when the caller gives no endDateTime (Graph's default is 2 years). */
const DEFAULT_SECRET_LIFETIME_MS = 2 * 365 * 24 * 3600 * 1000;

/**
 * A new client secret: 40 characters of base64url (240 bits). Returned once as `secretText`; only its keyed
 * hash and a 3-character hint are stored.
 */
export function newPasswordCredential(
  services: Services,
  tenantId: string,
  applicationId: string,
  options: { displayName?: string | null; endDateTime?: string; secretText?: string } = {},
): { row: PasswordRow; secretText: string } {
  const secretText = options.secretText ?? services.ids.token(30);
  const now = services.clock.now();
  return {
    secretText,
    row: {
      tenant_id: tenantId,
      application_id: applicationId,
      key_id: services.ids.uuid(),
      display_name: options.displayName ?? null,
      hint: secretText.slice(0, 3),
      secret_hash: hashSecret(secretText, services.config.secret),
      start_date_time: now.toISOString(),
      end_date_time:
        options.endDateTime ?? new Date(now.getTime() + DEFAULT_SECRET_LIFETIME_MS).toISOString(),
    },
  };
}
