import type { FastifyInstance } from 'fastify';
import type * as OpenidClient from 'openid-client';
import type { Services } from '../app/services.js';
import { insertApplication } from '../applications/store.js';
import { injectFetch } from '../demo/inject-fetch.js';
import { issuerOf } from '../platform/issuer.js';
import { loadOpenidClient } from '../platform/lazy.js';

/**
 * The admin console and My Apps are a client of each tenant's own OpenID Connect provider, like any app: a
 * public client (code + PKCE, openid-client) registered in the tenant on first use, remembered in
 * instance_settings. Its one redirect URI is /{tenantId}/portal/callback; where to go next rides in the state.
 */
const settingKey = (tenantId: string) => `portal_app:${tenantId}`;

export const portalRedirectUri = (baseUrl: string, tenantId: string) =>
  `${baseUrl}/${tenantId}/portal/callback`;

/** Where RP-initiated logout lands (oidc-provider accepts a registered redirect URI as post-logout URI). */
export const portalSignedOutUri = (baseUrl: string, tenantId: string) =>
  `${baseUrl}/${tenantId}/portal/signed-out`;

/** The registered client id, if its application still exists (an administrator may have deleted it). */
async function findPortalClientId(services: Services, tenantId: string): Promise<string | undefined> {
  const row = await services.db
    .selectFrom('instance_settings')
    .select('value')
    .where('key', '=', settingKey(tenantId))
    .executeTakeFirst();
  if (!row) return undefined;
  const { clientId } = JSON.parse(row.value) as { clientId: string };
  const app = await services.db
    .selectFrom('applications')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('app_id', '=', clientId)
    .executeTakeFirst();
  if (app) return clientId;
  // Deleted: forget it, so the next call registers the client again.
  await services.db.deleteFrom('instance_settings').where('key', '=', settingKey(tenantId)).execute();
  return undefined;
}

/** The tenant's portal client id, registering the application the first time (one winner under a race). */
export async function ensurePortalClient(services: Services, tenantId: string): Promise<string> {
  const existing = await findPortalClientId(services, tenantId);
  if (existing) return existing;
  const clientId = services.ids.uuid();
  const { baseUrl } = services.config;
  await services.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('instance_settings')
      .values({ key: settingKey(tenantId), value: JSON.stringify({ clientId }) })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    await insertApplication(trx, {
      tenant_id: tenantId,
      id: services.ids.uuid(),
      app_id: clientId,
      display_name: 'Foyer admin console and My Apps',
      sign_in_audience: 'AzureADMyOrg',
      web_redirect_uris: '[]',
      spa_redirect_uris: '[]',
      public_client_redirect_uris: JSON.stringify([
        portalRedirectUri(baseUrl, tenantId),
        portalSignedOutUri(baseUrl, tenantId),
      ]),
      app_roles: '[]',
      created_at: services.clock.now().toISOString(),
      tokens_valid_after: null,
    });
  });
  return (await findPortalClientId(services, tenantId)) ?? clientId;
}

/** openid-client configurations per tenant, discovered once through inject() (same process, no network hop). */
export function portalClients(app: FastifyInstance, services: Services) {
  const viaInject = injectFetch(app);
  const base = services.config.baseUrl;
  const cache = new Map<string, Promise<OpenidClient.Configuration>>();
  return async (tenantId: string): Promise<OpenidClient.Configuration> => {
    const clientId = await ensurePortalClient(services, tenantId);
    const key = `${tenantId}:${clientId}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = (async () => {
        const oidc = await loadOpenidClient();
        const config = await oidc.discovery(
          new URL(issuerOf(base, tenantId)),
          clientId,
          undefined,
          oidc.None(),
          {
            [oidc.customFetch]: viaInject,
            execute: base.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
          },
        );
        config[oidc.customFetch] = viaInject;
        return config;
      })();
      entry.catch(() => cache.delete(key));
      if (cache.size > 1000) cache.clear();
      cache.set(key, entry);
    }
    return entry;
  };
}
