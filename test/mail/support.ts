import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Services } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/index.js';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { MailLogger } from '../../src/mail/worker.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { randomIds } from '../../src/platform/ids.js';
import { type StandingClock, standingClock } from '../helpers/clock.js';

export const MAIL_FROM = 'invitations@foyer.test';

export interface MailTestDatabase {
  dialect: 'sqlite' | 'postgres';
  services: Services & { clock: StandingClock };
  tenantId: string;
  /** Another connection (pool) to the same database, e.g. for a second worker. */
  connectAgain(): Promise<Db>;
  close(): Promise<void>;
}

export interface MailTestDialect {
  name: 'sqlite' | 'postgres';
  open(options?: { env?: 'test' | 'production'; smtpUrl?: string }): Promise<MailTestDatabase>;
}

/** PostgreSQL runs when FOYER_TEST_DATABASE_URL is set; in CI it must be set (STYLE.md: every query, every dialect). */
export function mailTestDialects(): MailTestDialect[] {
  const url = process.env.FOYER_TEST_DATABASE_URL;
  if (url === undefined || url === '') {
    if (process.env.CI === 'true') throw new Error('FOYER_TEST_DATABASE_URL must be set in CI');
    return [sqliteDialect];
  }
  return [sqliteDialect, postgresDialect(url)];
}

/** A file, not :memory:, so a second connection (a second worker) sees the same database. */
const sqliteDialect: MailTestDialect = {
  name: 'sqlite',
  async open(options) {
    const path = join(tmpdir(), `foyer-mail-${process.pid}-${randomBytes(4).toString('hex')}.db`);
    const opened = await openServices(`sqlite:${path}`, 'sqlite', options);
    return {
      ...opened,
      async close() {
        await opened.close();
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
      },
    };
  },
};

/** Each database gets its own schema (`?schema=` sets the search_path), dropped afterwards. */
function postgresDialect(url: string): MailTestDialect {
  return {
    name: 'postgres',
    async open(options) {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      await adminQuery(url, `create schema "${schema}"`);
      const withSchema = new URL(url);
      withSchema.searchParams.set('schema', schema);
      let opened: MailTestDatabase;
      try {
        opened = await openServices(withSchema.toString(), 'postgres', options, schema);
      } catch (error) {
        await adminQuery(url, `drop schema "${schema}" cascade`);
        throw error;
      }
      return {
        ...opened,
        async close() {
          await opened.close();
          await adminQuery(url, `drop schema "${schema}" cascade`);
        },
      };
    },
  };
}

async function adminQuery(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function openServices(
  url: string,
  dialect: 'sqlite' | 'postgres',
  options: { env?: 'test' | 'production'; smtpUrl?: string } = {},
  schema?: string,
): Promise<MailTestDatabase> {
  const loaded = loadConfig({
    FOYER_ENV: options.env ?? 'test',
    FOYER_DATABASE_URL: url,
    FOYER_MAIL_FROM: MAIL_FROM,
    FOYER_LOG_LEVEL: 'silent',
    FOYER_BASE_URL: 'https://foyer.test',
    FOYER_SECRET: 's'.repeat(40),
    ...(options.smtpUrl ? { FOYER_SMTP_URL: options.smtpUrl } : {}),
  });
  const config = Object.freeze({ ...loaded, secret: loaded.secret ?? 's'.repeat(40) });
  const database = await connectDatabase(url);
  await migrateToLatest(database.db, schema);
  const clock = standingClock('2030-01-01T09:00:00.000Z');
  const tenantId = randomIds.uuid();
  await database.db
    .insertInto('tenants')
    .values({
      id: tenantId,
      slug: `contoso-${tenantId.slice(0, 8)}`,
      display_name: 'Contoso',
      default_domain: `contoso-${tenantId.slice(0, 8)}.foyer.localhost`,
      default_language: 'en-US',
      logo_url: null,
      privacy_statement_url: null,
      created_at: clock.now().toISOString(),
    })
    .execute();
  const extra: Db[] = [];
  const services = { config, db: database.db, dialect, clock, ids: randomIds, metrics: createMetrics() };
  return {
    dialect,
    services,
    tenantId,
    async connectAgain() {
      const again = await connectDatabase(url);
      extra.push(again);
      return again;
    },
    async close() {
      for (const db of extra) await db.close();
      await database.close();
    },
  };
}

/** A logger that keeps what the worker said, for assertions; silent otherwise. */
export function recordingLogger(): MailLogger & {
  entries: Array<{ level: string; message: string; details: object }>;
} {
  const entries: Array<{ level: string; message: string; details: object }> = [];
  const at = (level: string) => (details: object, message: string) =>
    void entries.push({ level, message, details });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}
