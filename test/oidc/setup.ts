import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { ResolvedConfig, Services } from '../../src/app/services.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createMetrics } from '../../src/metrics/registry.js';
import type { Clock } from '../../src/platform/clock.js';
import { randomIds } from '../../src/platform/ids.js';
import { hashSecret } from '../../src/platform/secrets.js';

/**
 * A fresh app on a fresh database (SQLite in memory, or a throw-away PostgreSQL schema when
 * FOYER_TEST_DATABASE_URL is set), with two tenants and their applications seeded directly.
 */

export const BASE_URL = 'https://id.example.test';
const DAY = 24 * 3600 * 1000;

export interface SeededApplication {
  objectId: string;
  clientId: string;
  clientSecret: string;
  displayName: string;
  permissions: string[];
}

export interface SeededTenant {
  id: string;
  slug: string;
  domain: string;
  app: SeededApplication;
}

export interface OidcTestContext {
  app: FastifyInstance;
  config: ResolvedConfig;
  database: Db;
  /** Services over the same database, for calling library functions (rotation, verifier) directly. */
  services: Services;
  contoso: SeededTenant & { expiredApp: SeededApplication; unverifiedDomain: string };
  fabrikam: SeededTenant;
  close(): Promise<void>;
}

async function testDatabase(): Promise<{ url: string; schema?: string; drop(): Promise<void> }> {
  const pgUrl = process.env.FOYER_TEST_DATABASE_URL;
  if (!pgUrl) {
    if (process.env.CI === 'true')
      throw new Error('FOYER_TEST_DATABASE_URL must be set in CI (PostgreSQL matrix).');
    return { url: 'sqlite::memory:', drop: async () => {} };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

export async function createOidcTestContext(
  options: { clock?: Clock; accessTokenTtlSeconds?: number } = {},
): Promise<OidcTestContext> {
  const testDb = await testDatabase();
  const database = await connectDatabase(testDb.url, { poolSize: 4 });
  try {
    return await setUp(testDb, database, options);
  } catch (error) {
    await database.close();
    await testDb.drop();
    throw error;
  }
}

async function setUp(
  testDb: Awaited<ReturnType<typeof testDatabase>>,
  database: Db,
  options: { clock?: Clock; accessTokenTtlSeconds?: number },
): Promise<OidcTestContext> {
  await migrateToLatest(database.db, testDb.schema);
  const config: ResolvedConfig = {
    ...loadConfig({
      FOYER_ENV: 'test',
      FOYER_BASE_URL: BASE_URL,
      FOYER_LOG_LEVEL: 'silent',
      FOYER_ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds ?? 3600),
    }),
    secret: 'x'.repeat(40),
  };
  const clock = options.clock ?? { now: () => new Date() };
  const app = await buildApp({ config, database, clock, logger: false });
  const services: Services = {
    config,
    db: database.db,
    dialect: database.dialect,
    clock,
    ids: randomIds,
    metrics: createMetrics(),
  };

  const now = clock.now();
  const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();

  async function seedTenant(slug: string, domain: string) {
    const id = randomUUID();
    await database.db
      .insertInto('tenants')
      .values({
        id,
        slug,
        display_name: slug,
        default_domain: `${slug}.foyer.localhost`,
        default_language: 'en-US',
        logo_url: null,
        privacy_statement_url: null,
        created_at: now.toISOString(),
      })
      .execute();
    await database.db
      .insertInto('tenant_domains')
      .values({
        domain,
        tenant_id: id,
        verified: 1,
        verification_token: 'token',
        created_at: now.toISOString(),
        verified_at: now.toISOString(),
      })
      .execute();
    return id;
  }

  async function seedApplication(
    tenantId: string,
    displayName: string,
    permissions: string[],
    window: { start: number; end: number } = { start: -DAY, end: 365 * DAY },
  ): Promise<SeededApplication> {
    const objectId = randomUUID();
    const clientId = randomUUID();
    const clientSecret = randomBytes(30).toString('base64url');
    await database.db
      .insertInto('applications')
      .values({
        tenant_id: tenantId,
        id: objectId,
        app_id: clientId,
        display_name: displayName,
        sign_in_audience: 'AzureADMyOrg',
        web_redirect_uris: '[]',
        spa_redirect_uris: '[]',
        public_client_redirect_uris: '[]',
        app_roles: '[]',
        created_at: now.toISOString(),
      })
      .execute();
    await database.db
      .insertInto('application_passwords')
      .values({
        tenant_id: tenantId,
        application_id: objectId,
        key_id: randomUUID(),
        display_name: 'test',
        hint: clientSecret.slice(0, 3),
        secret_hash: hashSecret(clientSecret, config.secret),
        start_date_time: iso(window.start),
        end_date_time: iso(window.end),
      })
      .execute();
    for (const permission of permissions) {
      await database.db
        .insertInto('application_permissions')
        .values({ tenant_id: tenantId, application_id: objectId, permission })
        .execute();
    }
    return { objectId, clientId, clientSecret, displayName, permissions };
  }

  const contosoId = await seedTenant('contoso', 'contoso.com');
  await database.db
    .insertInto('tenant_domains')
    .values({
      domain: 'unverified.example',
      tenant_id: contosoId,
      verified: 0,
      verification_token: 'token',
      created_at: now.toISOString(),
      verified_at: null,
    })
    .execute();
  const fabrikamId = await seedTenant('fabrikam', 'fabrikam.com');

  const context: OidcTestContext = {
    app,
    config,
    database,
    services,
    contoso: {
      id: contosoId,
      slug: 'contoso',
      domain: 'contoso.com',
      unverifiedDomain: 'unverified.example',
      app: await seedApplication(contosoId, 'Contoso automation', ['User.Invite.All', 'User.Read.All']),
      expiredApp: await seedApplication(contosoId, 'Contoso expired', ['User.Read.All'], {
        start: -30 * DAY,
        end: -DAY,
      }),
    },
    fabrikam: {
      id: fabrikamId,
      slug: 'fabrikam',
      domain: 'fabrikam.com',
      app: await seedApplication(fabrikamId, 'Fabrikam automation', ['Directory.Read.All']),
    },
    async close() {
      await app.close();
      await database.close();
      await testDb.drop();
    },
  };
  return context;
}
