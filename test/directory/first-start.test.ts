import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResolvedConfig } from '../../src/app/services.js';
import { type BootstrapResult, bootstrapFileName, writeBootstrapFile } from '../../src/bootstrap/index.js';
import { printWelcome } from '../../src/bootstrap/welcome.js';
import { loadConfig } from '../../src/config/index.js';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const SECRET = 's'.repeat(40);

const result = (n: number): BootstrapResult => ({
  tenantId: `00000000-0000-0000-0000-00000000000${n}`,
  tenantSlug: 'contoso',
  tenantName: 'Contoso',
  adminUserPrincipalName: 'admin@contoso.foyer.localhost',
  adminPassword: `admin-password-${n}`,
  clientId: `20000000-0000-0000-0000-00000000000${n}`,
  clientSecret: `client-secret-value-number-${n}`,
  tokenEndpoint: 'http://localhost:3000/contoso/oauth2/v2.0/token',
  operatorToken: `operator-token-${n}`,
  generated: true,
});

describe('first start', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'foyer-first-start-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(directory, { recursive: true, force: true });
  });

  const configFor = (databaseUrl?: string) =>
    loadConfig({
      FOYER_DATA_DIR: join(directory, 'data'),
      ...(databaseUrl && { FOYER_DATABASE_URL: databaseUrl }),
    });

  it('the default database keeps data/bootstrap.json; another database gets a file named after it', () => {
    expect(bootstrapFileName(loadConfig({}))).toBe('bootstrap.json');
    const data = join(directory, 'data');
    expect(bootstrapFileName(configFor(`sqlite:${join(data, 'foyer.db')}`))).toBe('bootstrap.json');
    expect(bootstrapFileName(configFor(`sqlite:${join(data, 'staging.db')}`))).toMatch(
      /^bootstrap-staging-[0-9a-f]{8}\.json$/,
    );
    const postgres = bootstrapFileName(
      configFor('postgres://foyer:hunter2@db.internal:5432/foyer?schema=s1'),
    );
    expect(postgres).toMatch(/^bootstrap-db\.internal-5432-foyer-s1-[0-9a-f]{8}\.json$/);
    expect(postgres).not.toContain('hunter2');
    // Same file name in two folders: still two files.
    expect(bootstrapFileName(configFor('sqlite:/a/foyer2.db'))).not.toBe(
      bootstrapFileName(configFor('sqlite:/b/foyer2.db')),
    );
  });

  it('never overwrites bootstrap values already written: not for another database, not for the same one', async () => {
    const first = await writeBootstrapFile(configFor(), result(1));
    const other = await writeBootstrapFile(configFor(`sqlite:${join(directory, 'other.db')}`), result(2));
    const again = await writeBootstrapFile(configFor(), result(3));
    expect(new Set([first, other, again]).size).toBe(3);
    expect(JSON.parse(await readFile(first, 'utf8'))).toMatchObject({ adminPassword: 'admin-password-1' });
    expect(JSON.parse(await readFile(other, 'utf8'))).toMatchObject({ adminPassword: 'admin-password-2' });
    expect(JSON.parse(await readFile(again, 'utf8'))).toMatchObject({ adminPassword: 'admin-password-3' });
    for (const file of [first, other, again]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(join(directory, 'data'))).length).toBe(3);
  });

  it('a production first start prints no secret to stdout, only where the values are', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const production: ResolvedConfig = {
      ...loadConfig({
        FOYER_ENV: 'production',
        FOYER_BASE_URL: 'https://id.example.com',
        FOYER_SECRET: SECRET,
        FOYER_SMTP_URL: 'smtp://mail:25',
      }),
      secret: SECRET,
    };
    printWelcome(production, result(1), '/var/lib/foyer/bootstrap.json');
    const development: ResolvedConfig = { ...loadConfig({}), secret: SECRET };
    printWelcome(development, result(2), 'data/bootstrap.json');
    const [inProduction, inDevelopment] = written;
    for (const secret of ['admin-password-1', 'client-secret-value-number-1', 'operator-token-1']) {
      expect(inProduction).not.toContain(secret);
    }
    expect(inProduction).toContain('/var/lib/foyer/bootstrap.json');
    expect(inProduction).toContain('production mode');
    // Development keeps the newcomer's experience: the values once, on the terminal.
    expect(inDevelopment).toContain('admin-password-2');
    expect(inDevelopment).toContain('development mode');
  });

  it('creates the SQLite database and its WAL and SHM files readable by their owner only', async () => {
    const path = join(directory, 'db', 'foyer.db');
    const database = await connectDatabase(`sqlite:${path}`);
    try {
      await migrateToLatest(database.db);
      await sql`select count(*) from tenants`.execute(database.db);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect((await stat(file)).mode & 0o777, file).toBe(0o600);
      }
    } finally {
      await database.close();
    }
  });
});
