import type { Services } from '../app/services.js';
import { insertApplication } from '../applications/store.js';
import type { Executor } from '../db/executor.js';

/**
 * The demo app (issue: "the bootstrap registers a public demo client"): an application of the bootstrap tenant
 * whose redirect URI is this instance's own /demo/callback, remembered in instance_settings so /demo finds it.
 */
const SETTING = 'demo_app';

export interface DemoApp {
  tenantId: string;
  clientId: string;
}

export const demoRedirectUri = (baseUrl: string) => `${baseUrl}/demo/callback`;

export async function registerDemoApp(services: Services, tenantId: string): Promise<DemoApp> {
  const clientId = services.ids.uuid();
  const uris = [demoRedirectUri(services.config.baseUrl), `${services.config.baseUrl}/demo`];
  await services.db.transaction().execute(async (trx) => {
    await insertApplication(trx, {
      tenant_id: tenantId,
      id: services.ids.uuid(),
      app_id: clientId,
      display_name: 'Foyer demo app',
      sign_in_audience: 'AzureADMyOrg',
      web_redirect_uris: '[]',
      spa_redirect_uris: '[]',
      public_client_redirect_uris: JSON.stringify(uris),
      app_roles: '[]',
      created_at: services.clock.now().toISOString(),
      tokens_valid_after: null,
    });
    await trx
      .insertInto('instance_settings')
      .values({ key: SETTING, value: JSON.stringify({ tenantId, clientId }) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify({ tenantId, clientId }) }))
      .execute();
  });
  return { tenantId, clientId };
}

export async function findDemoApp(db: Executor): Promise<DemoApp | undefined> {
  const row = await db
    .selectFrom('instance_settings')
    .select('value')
    .where('key', '=', SETTING)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as DemoApp) : undefined;
}
