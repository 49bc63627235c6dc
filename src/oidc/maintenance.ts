import type { Services } from '../app/services.js';
import { deleteExpiredPayloads } from './store.js';

/**
 * Instance-level housekeeping for a periodic job: removes expired oidc-provider artefacts of every tenant.
 * Reads already ignore expired rows (src/oidc/adapter.ts); this only reclaims space.
 */
export async function purgeExpiredOidcArtefacts(services: Pick<Services, 'db' | 'clock'>): Promise<number> {
  return deleteExpiredPayloads(services.db, Math.floor(services.clock.now().getTime() / 1000));
}
