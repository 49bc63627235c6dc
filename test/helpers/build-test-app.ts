import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../../src/app/services.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { smtpTransport } from '../../src/mail/transports.js';
import { type MailLogger, type MailWorker, startMailWorker } from '../../src/mail/worker.js';
import type { Clock } from '../../src/platform/clock.js';
import { type ProvisionedTenant, provisionTenant } from '../../src/tenants/provision.js';
import { type DialectName, freshDatabase } from './database.js';
import { adminCaller, type GraphClient } from './graph.js';
import { type SmtpCatcher, startSmtpCatcher } from './smtp-catcher.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-foyer-0123456789';
export const TEST_BASE_URL = 'https://foyer.test';

export interface TestAppOptions {
  /** Configuration variables over the test defaults (FOYER_ENV=test, FOYER_BASE_URL=TEST_BASE_URL). */
  env?: Record<string, string>;
  clock?: Clock;
  /** Where the app's JSON log lines go (tests that read the logs); without it the app does not log. */
  logStream?: { write(line: string): void };
  /** Extra routes or hooks, added before the app is ready (e.g. a probe that echoes what Fastify read). */
  setUp?: (app: FastifyInstance) => void;
  /** SQLite in a temporary file rather than in memory, so secondInstance() can open it too. */
  sqliteFile?: boolean;
}

/** An app on a fresh database with no tenant yet, for tests that seed their own directory. */
export interface BareTestApp {
  app: FastifyInstance;
  config: ResolvedConfig;
  database: Db;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface TestApp extends BareTestApp {
  /** The first tenant, provisioned like a bootstrap: admin + automation app with every permission. */
  tenant: ProvisionedTenant;
}

function testConfig(env: Record<string, string> = {}): ResolvedConfig {
  return {
    ...loadConfig({ FOYER_ENV: 'test', FOYER_BASE_URL: TEST_BASE_URL, ...env }),
    secret: TEST_SECRET,
  };
}

/** One Foyer instance over `database`, configured the same way every time, so its tokens hold on the others. */
async function instanceOn(database: Db, options: TestAppOptions) {
  const config = testConfig(options.env);
  const app = await buildApp({
    config,
    database,
    ...(options.logStream ? { logStream: options.logStream } : { logger: false }),
    ...(options.clock && { clock: options.clock }),
  });
  options.setUp?.(app);
  await app.ready();
  return { app, config };
}

/** A whole Foyer on a fresh database, driven through app.inject() (no port), without any tenant. */
export async function buildBareTestApp(
  dialect: DialectName,
  options: TestAppOptions = {},
): Promise<BareTestApp> {
  const database = await freshDatabase(dialect, { sqliteFile: options.sqliteFile ?? false });
  try {
    const { app, config } = await instanceOn(database, options);
    return {
      app,
      config,
      database,
      databaseUrl: database.url,
      async close() {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** A whole Foyer on a fresh database, driven through app.inject() (no port), with its first tenant. */
export async function buildTestApp(dialect: DialectName, options: TestAppOptions = {}): Promise<TestApp> {
  const bare = await buildBareTestApp(dialect, options);
  const tenant = await provisionTenant(bare.app.services, {
    displayName: 'Contoso',
    adminPassword: 'correct horse battery staple',
  });
  return { ...bare, tenant };
}

/** A second tenant on the same instance, for isolation tests. */
export function provisionOtherTenant(testApp: TestApp, name = 'Fabrikam'): Promise<ProvisionedTenant> {
  return provisionTenant(testApp.app.services, {
    displayName: name,
    adminPassword: 'correct horse battery staple',
  });
}

/**
 * Another Foyer instance on the test app's database (its own connection pool), configured as buildTestApp
 * configures the first: same secret, so the tokens of one are valid on the other. Meaningful on PostgreSQL
 * (an in-memory SQLite database cannot be shared).
 */
export async function secondInstance(
  t: BareTestApp,
  options: TestAppOptions = {},
): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const database = await connectDatabase(t.databaseUrl, { poolSize: 5 });
  const { app } = await instanceOn(database, options);
  return {
    app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export const silentMailLogger: MailLogger = { info() {}, warn() {}, error() {} };

export interface MailingApp {
  t: TestApp;
  admin: GraphClient;
  catcher: SmtpCatcher;
  worker: MailWorker;
  close(): Promise<void>;
}

/**
 * A whole app whose mail goes over real SMTP to an in-process catcher, with its own outbox worker (tests call
 * `worker.drain()`, or let it poll every `pollMs`).
 */
export async function mailingTestApp(
  dialect: DialectName,
  options: TestAppOptions & { pollMs?: number } = {},
): Promise<MailingApp> {
  const catcher = await startSmtpCatcher();
  const t = await buildTestApp(dialect, {
    env: { FOYER_SMTP_URL: catcher.url, ...options.env },
    ...(options.clock && { clock: options.clock }),
  });
  const admin = await adminCaller(t);
  const transport = smtpTransport(catcher.url);
  const worker = startMailWorker(t.app.services, transport, {
    pollMs: options.pollMs ?? 60_000,
    logger: silentMailLogger,
  });
  return {
    t,
    admin,
    catcher,
    worker,
    async close() {
      await worker.stop();
      await transport.close();
      await t.close();
      await catcher.close();
    },
  };
}
