import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun as Run, runFoyer } from '../helpers/cli.js';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.js';

/** `foyer idp add|list|remove` as an operator runs them: bin/foyer.js in a child process, on a SQLite file. */
describe('foyer idp (CLI)', { timeout: 90_000 }, () => {
  let directory: string;
  let env: NodeJS.ProcessEnv;
  let idp: TestIdp;

  const foyer = (...args: string[]): Promise<Run> => runFoyer(env, ...args);

  beforeAll(async () => {
    idp = await startTestIdp({ redirectUri: 'https://foyer.test/federation/callback' });
    directory = mkdtempSync(join(tmpdir(), 'foyer-idp-cli-'));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FOYER_ENV: 'test',
      FOYER_DATABASE_URL: `sqlite:${join(directory, 'foyer.db')}`,
      FOYER_SECRET: 'cli-test-secret-that-is-long-enough-0123456789',
      FOYER_BASE_URL: 'https://foyer.test',
      FOYER_LOG_LEVEL: 'silent',
    };
    const created = await foyer('tenant', 'create', 'Acme', '--slug', 'acme');
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(async () => {
    await idp?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('adds, lists and removes a provider; bad metadata is refused with exit code 1', async () => {
    const added = await foyer(
      'idp',
      'add',
      'acme',
      'Partner',
      '--client-id',
      idp.clientId,
      '--client-secret',
      idp.clientSecret,
      '--metadata-url',
      idp.metadataUrl,
      '--domains',
      'partner.example,partner2.example',
    );
    expect(added.code, added.stderr).toBe(0);
    const provider = JSON.parse(added.stdout);
    expect(provider).toMatchObject({
      clientSecret: '******',
      domains: ['partner.example', 'partner2.example'],
      callbackUrl: 'https://foyer.test/federation/callback',
    });
    expect(added.stdout).not.toContain(idp.clientSecret);

    const listed = await foyer('idp', 'list', 'acme');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((p: { id: string }) => p.id)).toEqual([provider.id]);

    const bad = await foyer(
      'idp',
      'add',
      'acme',
      'Nowhere',
      '--client-id',
      'x',
      '--client-secret',
      'y',
      '--metadata-url',
      'http://127.0.0.1:9/.well-known/openid-configuration',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('could not be read');

    const removed = await foyer('idp', 'remove', 'acme', provider.id);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse((await foyer('idp', 'list', 'acme')).stdout)).toEqual([]);
  });
});
