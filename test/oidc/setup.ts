import { randomBytes, randomUUID } from 'node:crypto';
import type { Services } from '../../src/app/services.js';
import { hashSecret } from '../../src/platform/secrets.js';
import { type BareTestApp, buildBareTestApp, type TestAppOptions } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';

/**
 * The test harness's app with no provisioned tenant, and two tenants and their applications seeded straight
 * into the database (an expired secret and an unverified domain are not reachable through the API).
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

export interface OidcTestContext extends Omit<BareTestApp, 'databaseUrl'> {
  /** Services over the same database, for calling library functions (rotation, verifier) directly. */
  services: Services;
  contoso: SeededTenant & { expiredApp: SeededApplication; unverifiedDomain: string };
  fabrikam: SeededTenant;
}

export async function createOidcTestContext(
  options: Pick<TestAppOptions, 'clock' | 'logStream' | 'setUp'> & {
    accessTokenTtlSeconds?: number;
    /** Configuration variables over this context's own. */
    env?: Record<string, string>;
  } = {},
): Promise<OidcTestContext> {
  // One run per file, on the last dialect of the matrix (PostgreSQL when configured, as before).
  const dialect = testDialects().at(-1) ?? 'sqlite';
  const bare = await buildBareTestApp(dialect, {
    env: {
      FOYER_BASE_URL: BASE_URL,
      FOYER_LOG_LEVEL: 'silent',
      FOYER_ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds ?? 3600),
      ...options.env,
    },
    ...(options.clock && { clock: options.clock }),
    ...(options.logStream && { logStream: options.logStream }),
    ...(options.setUp && { setUp: options.setUp }),
  });
  try {
    return await seed(bare);
  } catch (error) {
    await bare.close();
    throw error;
  }
}

async function seed({ app, config, database, close }: BareTestApp): Promise<OidcTestContext> {
  const services = app.services;
  const clock = services.clock;
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
    close,
  };
  return context;
}
