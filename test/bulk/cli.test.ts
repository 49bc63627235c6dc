import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { startBulkRunner } from '../../src/bulk/runner.js';
import { loadConfig } from '../../src/config/index.js';
import { connectDatabase } from '../../src/db/connect.js';
import { silentMailLogger } from '../helpers/build-test-app.js';
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

  it('killed (SIGKILL) mid-job: every committed row is whole, and the resumed job does each row exactly once', async () => {
    const ROWS = 1_500;
    const input = join(directory, 'crash.csv');
    const emails = Array.from({ length: ROWS }, (_, i) => `crash${i}@fabrikam.example`);
    writeFileSync(input, [HEADER, ...emails.map((e) => `${e},,${REDIRECT},,`)].join('\r\n'));
    const child = spawn(process.execPath, ['bin/foyer.js', 'bulk-invite', 'acme', input], {
      env,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const database = await connectDatabase(env.FOYER_DATABASE_URL!);
    try {
      const job = () =>
        database.db
          .selectFrom('bulk_jobs')
          .selectAll()
          .where('file_name', '=', 'crash.csv')
          .executeTakeFirst();
      // Killed in the middle of the work: rows committed, rows in flight (a group uncommitted), rows not begun.
      for (let polls = 0; ((await job())?.processed_rows ?? 0) < 300; polls++) {
        if (polls > 600) throw new Error('the job did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill('SIGKILL');
      await exited;
      const killed = (await job())!;
      expect(killed.status).toBe('running');
      expect(killed.processed_rows).toBeLessThan(ROWS);

      // What survived the kill is whole: each processed row has its guest and its queued mail, no other has.
      const processed = await database.db
        .selectFrom('bulk_job_rows')
        .select('email')
        .where('job_id', '=', killed.id)
        .where('status', '!=', 'pending')
        .execute();
      expect(processed).toHaveLength(killed.processed_rows);
      const guestsNow = await guestsOf(database.db);
      const mailsNow = await mailsOf(database.db);
      for (const email of emails) {
        const done = processed.some((row) => row.email === email) ? 1 : 0;
        expect([email, guestsNow.get(email) ?? 0, mailsNow.get(email) ?? 0]).toEqual([email, done, done]);
      }

      // The dead worker's lease runs out (set here rather than waited for), and another instance resumes.
      await database.db
        .updateTable('bulk_jobs')
        .set({ claimed_until: null })
        .where('id', '=', killed.id)
        .execute();
      const second = await connectDatabase(env.FOYER_DATABASE_URL!);
      const app = await buildApp({
        config: { ...loadConfig(env), secret: env.FOYER_SECRET! },
        database: second,
        logger: false,
      });
      try {
        const runner = startBulkRunner(app.services, { pollMs: 60_000, logger: silentMailLogger });
        await runner.drain();
        await runner.stop();
      } finally {
        await app.close();
        await second.close();
      }
      expect(await job()).toMatchObject({ status: 'completed', processed_rows: ROWS, invited_count: ROWS });
      const guests = await guestsOf(database.db);
      const mails = await mailsOf(database.db);
      for (const email of emails) expect([email, guests.get(email), mails.get(email)]).toEqual([email, 1, 1]);
    } finally {
      await database.close();
    }
  });
});

type Handle = Awaited<ReturnType<typeof connectDatabase>>['db'];

async function guestsOf(db: Handle): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { mail } of await db
    .selectFrom('users')
    .select('mail')
    .where('user_type', '=', 'Guest')
    .execute()) {
    counts.set(mail ?? '', (counts.get(mail ?? '') ?? 0) + 1);
  }
  return counts;
}

async function mailsOf(db: Handle): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const rows = await db
    .selectFrom('mail_outbox')
    .select('to_addresses')
    .where('category', '=', 'invitation')
    .execute();
  for (const row of rows) {
    for (const { address } of JSON.parse(row.to_addresses) as Array<{ address: string }>) {
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
  }
  return counts;
}
