import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../../src/app/services.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { Clock } from '../../src/platform/clock.js';
import { type ProvisionedTenant, provisionTenant } from '../../src/tenants/provision.js';
import { type DialectName, freshDatabase } from './database.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-foyer-0123456789';
export const TEST_BASE_URL = 'https://foyer.test';

export interface TestApp {
  app: FastifyInstance;
  /** The first tenant, provisioned like a bootstrap: admin + automation app with every permission. */
  tenant: ProvisionedTenant;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A whole Foyer on a fresh database, driven through app.inject() (no port). */
export async function buildTestApp(
  dialect: DialectName,
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<TestApp> {
  const database = await freshDatabase(dialect);
  const config: ResolvedConfig = {
    ...loadConfig({ FOYER_ENV: 'test', FOYER_BASE_URL: TEST_BASE_URL, ...options.env }),
    secret: TEST_SECRET,
  };
  const app = await buildApp({
    config,
    database,
    logger: false,
    ...(options.clock && { clock: options.clock }),
  });
  await app.ready();
  const tenant = await provisionTenant(app.services, {
    displayName: 'Contoso',
    adminPassword: 'correct horse battery staple',
  });
  return {
    app,
    tenant,
    databaseUrl: database.url,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** A second tenant on the same instance, for isolation tests. */
export function provisionOtherTenant(testApp: TestApp, name = 'Fabrikam'): Promise<ProvisionedTenant> {
  return provisionTenant(testApp.app.services, {
    displayName: name,
    adminPassword: 'correct horse battery staple',
  });
}
