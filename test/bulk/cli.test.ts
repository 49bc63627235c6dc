import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { type CliRun as Run, runFoyer } from '../helpers/cli.js';
import { HEADER, REDIRECT } from './support.js';

/** `foyer bulk-invite` as an operator runs it: bin/foyer.js in a child process (no terminal), on a SQLite file. */
describe('foyer bulk-invite (CLI)', { timeout: 90_000 }, () => {
  let directory: string;
  let env: NodeJS.ProcessEnv;

  const foyer = (...args: string[]): Promise<Run> => runFoyer(env, ...args);

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'foyer-bulk-cli-'));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FOYER_ENV: 'test',
      FOYER_DATABASE_URL: `sqlite:${join(directory, 'foyer.db')}`,
      FOYER_SECRET: 'cli-test-secret-that-is-long-enough-0123456789',
      FOYER_BASE_URL: 'https://foyer.test',
      FOYER_LOG_LEVEL: 'silent',
      FOYER_INVITE_RATE_LIMIT: '0',
    };
    const created = await foyer('tenant', 'create', 'Acme', '--slug', 'acme');
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('invites every row, shows progress as plain lines, and writes file.results.csv next to the input', async () => {
    const input = join(directory, 'partners.csv');
    const rows = Array.from({ length: 25 }, (_, i) => `p${i}@fabrikam.example,P ${i},${REDIRECT},,`);
    writeFileSync(input, `\ufeff${[HEADER, ...rows, `=1+1,Formula,${REDIRECT},,`].join('\r\n')}`);
    const run = await foyer('bulk-invite', 'acme', input);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('26 rows: 25 to invite, 1 invalid, 0 duplicates skipped');
    expect(run.stderr).toMatch(/\[#{30}\] 100% 26\/26\n/);
    expect(run.stderr).not.toContain('\r');
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', invited: 25, failed: 1 });

    const resultsFile = readFileSync(join(directory, 'partners.results.csv'), 'utf8');
    const results = parse(resultsFile, { columns: true }) as Array<Record<string, string>>;
    expect(results).toHaveLength(26);
    expect(results[0]).toMatchObject({ email: 'p0@fabrikam.example', status: 'invited' });
    expect(results[25]).toMatchObject({ email: "'=1+1", status: 'failed' });

    const database = await connectDatabase(env.FOYER_DATABASE_URL!);
    try {
      const mails = await database.db
        .selectFrom('mail_outbox')
        .select('id')
        .where('category', '=', 'invitation')
        .execute();
      expect(mails).toHaveLength(25);
    } finally {
      await database.close();
    }
  });

  it('refuses a file that is not UTF-8 with exit code 1 and one clear line', async () => {
    const input = join(directory, 'latin1.csv');
    writeFileSync(input, Buffer.from(`${HEADER}\r\nr@fabrikam.example,Ren\xe9,${REDIRECT},,\r\n`, 'latin1'));
    const run = await foyer('bulk-invite', 'acme', input);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not UTF-8/);
  });
});
