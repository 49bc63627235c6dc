import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { commands } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/index.js';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { graphClient, V1 } from '../helpers/graph.js';
import { appToken } from '../helpers/tokens.js';

/**
 * The `foyer` command, spawned as an operator would run it (node bin/foyer.js, through tsx), on a SQLite file in
 * a temporary directory. The CLI shares the services with the HTTP API (tested on every dialect elsewhere); its
 * results are checked here through HTTP, on an app opened over the same file. Each spawn takes a few seconds,
 * so independent commands run concurrently.
 */

const BIN = resolve(import.meta.dirname, '../../bin/foyer.js');
const SECRET = 'cli-test-secret-0123456789-abcdefghijklmnop';
const CLI_TIMEOUT = 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function foyer(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // Only what the CLI should see: no FOYER_* variable of the test run leaks in.
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
        timeout: CLI_TIMEOUT,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('foyer CLI', () => {
  let directory: string;
  let env: Record<string, string>;
  const run = (...args: string[]) => foyer(args, env, directory);
  const json = <T>(result: Run): T => {
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'foyer-cli-'));
    env = {
      FOYER_DATABASE_URL: `sqlite:${join(directory, 'foyer.db')}`,
      FOYER_SECRET: SECRET,
      FOYER_ENV: 'test',
      FOYER_DATA_DIR: join(directory, 'data'),
    };
    // Migrated up front: the commands below run concurrently, and two processes migrating one fresh SQLite file
    // at once race (Kysely takes no cross-process migration lock on SQLite).
    const database = await connectDatabase(env.FOYER_DATABASE_URL!);
    await migrateToLatest(database.db);
    await database.close();
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it(
    'tenant create → tenant list, domain add → domain verify --force, keys rotate; the results work over HTTP',
    async () => {
      // A bad configuration is refused before anything is read; it runs alongside the first command.
      const [creation, badConfig] = await Promise.all([
        run('tenant', 'create', 'Acme', '--slug', 'acme'),
        foyer(
          ['tenant', 'list'],
          { FOYER_DATABASE_URL: 'mysql://root@localhost/foyer', FOYER_ENV: 'production' },
          directory,
        ),
      ]);
      expect(badConfig.code).toBe(1);
      expect(badConfig.stderr).toContain('Invalid configuration:');
      expect(badConfig.stderr).toMatch(/FOYER_DATABASE_URL: must start with sqlite:/);
      expect(badConfig.stderr).toMatch(/FOYER_SECRET: required in production/);
      expect(badConfig.stderr).not.toMatch(/\n\s+at /);
      const created = json<{ tenantId: string; tenantSlug: string; clientId: string; clientSecret: string }>(
        creation,
      );
      expect(created).toMatchObject({
        tenantSlug: 'acme',
        tenantName: 'Acme',
        adminUserPrincipalName: 'admin@acme.foyer.localhost',
      });

      const [list, added, rotated] = await Promise.all([
        run('tenant', 'list'),
        run('domain', 'add', 'acme', 'acme.example'),
        run('keys', 'rotate', 'acme'),
      ]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^${created.tenantId}\\s+acme\\s+Acme$`, 'm'));
      expect(json(added)).toMatchObject({
        domain: 'acme.example',
        verified: false,
        txtRecord: expect.stringMatching(/^foyer-verification=/),
      });
      const keys = json<{ kid: string; retiredKids: string[] }>(rotated);
      expect(keys.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // An operator error (here: an unknown tenant) is one line on stderr and exit code 1, no stack trace.
      const [verified, unknownTenant] = await Promise.all([
        run('domain', 'verify', 'acme', 'acme.example', '--force'),
        run('keys', 'rotate', 'nobody'),
      ]);
      expect(json(verified)).toEqual({ domain: 'acme.example', verified: true });
      expect(unknownTenant.code).toBe(1);
      expect(unknownTenant.stderr).toContain("Tenant 'nobody' does not exist.");
      expect(unknownTenant.stderr).not.toMatch(/\n\s+at /);

      // The same database, served over HTTP.
      const database = await connectDatabase(env.FOYER_DATABASE_URL!);
      const config = {
        ...loadConfig({
          FOYER_ENV: 'test',
          FOYER_DATABASE_URL: env.FOYER_DATABASE_URL,
          FOYER_BASE_URL: 'https://cli.test',
        }),
        secret: SECRET,
      };
      const app = await buildApp({ config, database, logger: false });
      try {
        const discovery = await app.inject({
          method: 'GET',
          url: '/acme.example/v2.0/.well-known/openid-configuration',
        });
        expect(discovery.statusCode, discovery.body).toBe(200);
        expect(discovery.json()).toMatchObject({ issuer: `https://cli.test/${created.tenantId}/v2.0` });
        const jwks = await app.inject({ method: 'GET', url: '/acme/discovery/v2.0/keys' });
        // Published at once (it signs only after the grace period).
        expect((jwks.json() as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)).toContain(keys.kid);
        const token = await appToken(app, {
          tenant: 'acme.example',
          clientId: created.clientId,
          clientSecret: created.clientSecret,
        });
        const organization = await graphClient(app, token, V1).get('/organization');
        expect(organization.json()).toMatchObject({
          value: [
            {
              id: created.tenantId,
              verifiedDomains: expect.arrayContaining([expect.objectContaining({ name: 'acme.example' })]),
            },
          ],
        });
      } finally {
        await app.close();
        await database.close();
      }
    },
    CLI_TIMEOUT * 2,
  );

  it(
    "exit codes 0 / 1 / 2, help for every command, the API's validation, the configured base URL, one-line database errors",
    async () => {
      const [help, helpFlag, commandHelp, helpCommand, nothing, unknown, extra, badOption] =
        await Promise.all([
          run('help'),
          run('--help'),
          run('user', 'create', '--help'),
          run('help', 'domain', 'add'),
          run(),
          run('frobnicate', 'now'),
          run('tenant', 'list', 'extra'),
          run('tenant', 'list', '--bogus'),
        ]);
      for (const asked of [help, helpFlag]) {
        expect(asked.code).toBe(0);
        for (const command of commands) expect(asked.stdout).toContain(`foyer ${command.usage}`);
      }
      expect(commandHelp).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('Usage: foyer user create'),
      });
      expect(helpCommand).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('Usage: foyer domain add'),
      });
      expect(nothing.code).toBe(2);
      expect(unknown).toMatchObject({
        code: 2,
        stderr: expect.stringContaining("unknown command 'frobnicate now'"),
      });
      expect(extra).toMatchObject({
        code: 2,
        stderr: expect.stringContaining("unexpected argument 'extra'"),
      });
      expect(badOption).toMatchObject({
        code: 2,
        stderr: expect.stringContaining("Unknown option '--bogus'"),
      });

      const [created, shortPassword, missingPassword, badLanguage, noDatabase] = await Promise.all([
        foyer(['tenant', 'create', 'Ports', '--slug', 'ports'], { ...env, PORT: '4321' }, directory),
        run('user', 'create', 'acme', 'bob@acme.foyer.localhost', '--password', 'short'),
        run('user', 'create', 'acme', 'bob@acme.foyer.localhost'),
        run('tenant', 'create', 'Babel', '--language', 'not a language'),
        foyer(
          ['tenant', 'list'],
          {
            ...env,
            FOYER_DATABASE_URL: `${process.env.FOYER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/x'}_missing_db`,
          },
          directory,
        ),
      ]);
      expect(json<{ tokenEndpoint: string }>(created).tokenEndpoint).toBe(
        'http://localhost:4321/ports/oauth2/v2.0/token',
      );
      expect(shortPassword).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('passwordProfile.password: must be at least 8 characters'),
      });
      expect(missingPassword).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--password is required'),
      });
      expect(badLanguage.code).toBe(1);
      expect(badLanguage.stderr).toContain('defaultLanguage');
      expect(noDatabase.code).toBe(1);
      expect(noDatabase.stderr.trim().split('\n')).toHaveLength(1);
      expect(noDatabase.stderr).toMatch(/^Cannot use the database postgres:\/\/.* \(FOYER_DATABASE_URL\): /);
      for (const result of [shortPassword, badLanguage, noDatabase])
        expect(result.stderr).not.toMatch(/\n\s+at /);

      const added = await run('domain', 'add', 'ports', 'ports.example');
      expect(json(added)).toMatchObject({
        txtRecordName: 'ports.example',
        txtRecordValue: expect.stringMatching(/^foyer-verification=/),
      });
    },
    CLI_TIMEOUT * 2,
  );

  it('README documents every command exactly as its usage says', async () => {
    const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    for (const command of commands) expect(readme).toContain(`foyer ${command.usage}`);
  });
});
