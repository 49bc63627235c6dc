import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { browserAvailable, launchChromium } from '../helpers/browser.js';
import { type DialectName, freshDatabase, testDialects } from '../helpers/database.js';
import {
  exited,
  type FoyerProcess,
  freePort,
  ROOT,
  requestAppToken,
  startFoyerProcess,
} from '../helpers/process.js';

/**
 * A bulk job survives its server being killed (SIGKILL: no shutdown, no lease released, a row's transaction
 * cut short): Foyer runs as a real process (on a SQLite file, or a PostgreSQL schema where the runner has 8 rows
 * in flight), is killed once the job is part-way, and started again on the same database. The job resumes once the dead process's lease has run out (5 s here,
 * FOYER_BULK_LEASE_SECONDS) and completes with every row done once: one guest, one queued mail and one results
 * line per address. An administrator watches it in Chromium on the console's job page after the restart.
 */

const ROWS = 3_000;
const CLIENT_ID = '0d6c3c1e-6a0b-4b8e-9a55-5b7c1f3e2d10';
const CLIENT_SECRET = 'bulk-kill-test-client-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'bulk-kill-test-admin-password';
const SHOTS = join(ROOT, 'artifacts', 'screenshots', 'console');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `node scripts/start.mjs` (what `npm start` execs): the child is Foyer itself, so SIGKILL reaches it. */
const startFoyer = async (env: Record<string, string>, port: number) =>
  startFoyerProcess([process.execPath, 'scripts/start.mjs'], env, port, 120_000);

describe.runIf(browserAvailable()).each(testDialects())(
  'a bulk job whose server is killed mid-way (%s)',
  { timeout: 400_000 },
  (dialect: DialectName) => {
    let directory: string;
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    let port: number;
    let base: string;
    let env: Record<string, string>;
    let server: FoyerProcess | undefined;
    let browser: Browser | undefined;

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'foyer-bulk-kill-'));
      // Migrated and empty: the first start bootstraps a tenant on it, as on a new installation.
      database = await freshDatabase(dialect, { sqliteFile: true });
      port = await freePort();
      base = `http://127.0.0.1:${port}`;
      env = {
        PORT: String(port),
        FOYER_BASE_URL: base,
        FOYER_DATA_DIR: directory,
        FOYER_DATABASE_URL: database.url,
        FOYER_BOOTSTRAP_CLIENT_ID: CLIENT_ID,
        FOYER_BOOTSTRAP_CLIENT_SECRET: CLIENT_SECRET,
        FOYER_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
        FOYER_INVITE_RATE_LIMIT: '0',
        FOYER_BULK_LEASE_SECONDS: '5',
        FOYER_LOG_LEVEL: 'warn',
      };
    });
    afterAll(async () => {
      await browser?.close();
      if (server) {
        server.child.kill('SIGKILL');
        await exited(server.child);
      }
      await database?.close();
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    it('resumes after a restart on the same database: every row done exactly once', async () => {
      server = await startFoyer(env, port);
      const bootstrapFile = readdirSync(directory).find((name) => name.startsWith('bootstrap'));
      const tenant = JSON.parse(readFileSync(join(directory, bootstrapFile!), 'utf8')) as ProvisionedTenant;
      const tokenResponse = await requestAppToken(base, tenant.tenantSlug, CLIENT_ID, CLIENT_SECRET);
      expect(tokenResponse.status).toBe(200);
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${base}/v1.0${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, ...init.headers },
        });

      const emails = Array.from({ length: ROWS }, (_, i) => `killed${i}@partner.example`);
      const file = [
        'email,displayName,redirectUrl,message,language',
        ...emails.map((e, i) => `${e},Partner ${i},${base}/demo,,`),
      ].join('\r\n');
      const created = await api('/invitations/bulk?fileName=partners.csv', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: file,
      });
      expect(created.status).toBe(202);
      const { id } = (await created.json()) as { id: string };

      // Part-way (a few hundred rows in), the process dies without any chance to tidy up.
      for (let i = 0; ; i++) {
        const job = (await (await api(`/invitations/bulk/${id}`)).json()) as { processedRows: number };
        if (job.processedRows >= 300) break;
        if (i > 1_200) throw new Error(`the job did not progress:\n${server.output()}`);
        await sleep(50);
      }
      server.child.kill('SIGKILL');
      await exited(server.child);
      server = undefined;

      // The database as the killed process left it: the job part-way, still held by the dead process's lease.
      const { db } = database;
      const atKill = await db
        .selectFrom('bulk_jobs')
        .select(['status', 'processed_rows', 'claim_token'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const { n: doneRows } = await db
        .selectFrom('bulk_job_rows')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('job_id', '=', id)
        .where('status', '!=', 'pending')
        .executeTakeFirstOrThrow();
      expect(atKill.status).toBe('running');
      expect(atKill.processed_rows).toBeGreaterThan(0);
      expect(atKill.processed_rows).toBeLessThan(ROWS);
      expect(atKill.claim_token).not.toBeNull();
      // The counters moved with the rows, in the same transactions: what was counted is what was done.
      expect(Number(doneRows)).toBe(atKill.processed_rows);

      // Started again on the same database; an administrator opens the job's page and watches it finish.
      server = await startFoyer(env, port);
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(`${base}/${tenant.tenantSlug}/admin/bulk/${id}`);
      await page.getByLabel('Email address').fill(tenant.adminUserPrincipalName);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/admin/bulk/${id}$`));
      const status = () => page.getByRole('status').first().textContent();
      const seen = new Set<string>();
      await expect
        .poll(
          async () => {
            const text = (await status().catch(() => null)) ?? '';
            seen.add(text);
            return text;
          },
          { timeout: 180_000, interval: 200 },
        )
        .toBe('Completed: all 3,000 rows processed.');
      // Before the end, the page showed the job part-way (it resumed from where it was, not from zero).
      const partWay = [...seen]
        .map((text) => /^([\d,]+) of 3,000 rows processed/.exec(text)?.[1])
        .filter((n): n is string => n !== undefined)
        .map((n) => Number(n.replace(/,/g, '')));
      expect(partWay.length).toBeGreaterThan(0);
      expect(Math.min(...partWay)).toBeGreaterThanOrEqual(atKill.processed_rows);
      expect(await page.locator('[data-count="invited"]').textContent()).toBe('3,000');
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `${dialect}-bulk-job-resumed.png`), fullPage: true });

      // Every row exactly once: the results file, the guests, the queued invitation mails.
      const results = await api(`/invitations/bulk/${id}/results`);
      const rows = parse(await results.text(), { columns: true }) as Array<Record<string, string>>;
      expect(rows).toHaveLength(ROWS);
      expect(rows.map((r) => r.email)).toEqual(emails);
      expect(rows.every((r) => r.status === 'invited' && /^[0-9a-f-]{36}$/.test(r.userId ?? ''))).toBe(true);
      expect(new Set(rows.map((r) => r.userId)).size).toBe(ROWS);

      server.child.kill('SIGTERM');
      await exited(server.child);
      server = undefined;
      const guests = new Map<string, number>();
      for (const user of await db
        .selectFrom('users')
        .select('mail')
        .where('tenant_id', '=', tenant.tenantId)
        .where('user_type', '=', 'Guest')
        .execute()) {
        const address = (user.mail ?? '').toLowerCase();
        guests.set(address, (guests.get(address) ?? 0) + 1);
      }
      const mails = new Map<string, number>();
      for (const mail of await db
        .selectFrom('mail_outbox')
        .select('to_addresses')
        .where('tenant_id', '=', tenant.tenantId)
        .where('category', '=', 'invitation')
        .execute()) {
        for (const to of JSON.parse(mail.to_addresses) as Array<{ address: string }>) {
          const address = to.address.toLowerCase();
          mails.set(address, (mails.get(address) ?? 0) + 1);
        }
      }
      for (const email of emails) {
        expect(guests.get(email), email).toBe(1);
        expect(mails.get(email), email).toBe(1);
      }
      expect(guests.size).toBe(ROWS);
    });
  },
);
