import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BulkRunner, startBulkRunner } from '../../src/bulk/runner.js';
import { browserAvailable } from '../helpers/browser.js';
import { silentMailLogger } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { audit, type FlowEnv, startFlowEnv } from './support.js';

const SHOTS = join(process.cwd(), 'artifacts', 'screenshots', 'console');
const HEADER = 'email,displayName,redirectUrl,message,language';
const ROWS = 1_000;

/**
 * Bulk invitations through the console in real Chromium: a file's validation report before anything starts,
 * a 1,000-row job started and watched to completion (JavaScript on: the page polls, no reload per step), the
 * results CSV downloaded, one mail per address at the SMTP server; and the same page without JavaScript,
 * which refreshes itself. Invitation throttling is off for this app (the job would pace itself otherwise).
 */
describe.runIf(browserAvailable()).each(testDialects())(
  'bulk invitations in the console (%s)',
  { timeout: 240_000 },
  (dialect) => {
    let env: FlowEnv;
    let context: BrowserContext;
    let page: Page;
    let runner: BulkRunner;
    let bulkPage: string;
    let jobPage = '';
    const cspViolations: string[] = [];
    const progressPolls: number[] = [];

    beforeAll(async () => {
      env = await startFlowEnv(dialect, { FOYER_INVITE_RATE_LIMIT: '0' });
      runner = startBulkRunner(env.t.app.services, { pollMs: 100, logger: silentMailLogger });
      mkdirSync(SHOTS, { recursive: true });
      context = await env.browser.newContext({ acceptDownloads: true });
      page = await context.newPage();
      page.on('console', (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      page.on('response', (response) => {
        if (/\/bulk\/[0-9a-f-]{36}\/progress$/.test(response.url())) progressPolls.push(response.status());
      });
      bulkPage = `${env.base}/${env.t.tenant.tenantSlug}/admin/bulk`;
    });
    afterAll(async () => {
      await runner?.stop();
      await env?.close();
    });

    const shot = async (name: string, target = page, audited = true) => {
      if (audited) await audit(env, target);
      await target.screenshot({ path: join(SHOTS, `${dialect}-${name}.png`), fullPage: true });
    };
    const main = (target = page) =>
      target
        .locator('main')
        .textContent()
        .then((text) => text ?? '');
    const upload = async (name: string, content: string | Buffer, target = page) => {
      await target.getByLabel('CSV file').setInputFiles({
        name,
        mimeType: 'text/csv',
        buffer: Buffer.isBuffer(content) ? content : Buffer.from(content),
      });
      await target.getByRole('button', { name: 'Check the file' }).click();
      await target.waitForLoadState('load');
    };

    it('signs in and opens the bulk page from the console’s sections', async () => {
      await page.goto(`${env.base}/${env.t.tenant.tenantSlug}/admin`);
      await page.getByLabel('Email address').fill(env.t.tenant.adminUserPrincipalName);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Password', { exact: true }).fill(env.t.tenant.adminPassword);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/admin$/);
      await page
        .getByRole('navigation', { name: 'Console sections' })
        .getByRole('link', { name: 'Bulk invitations' })
        .click();
      await page.waitForURL(/\/admin\/bulk$/);
      expect(await main()).toContain('No bulk invitation yet.');
      await shot('bulk-upload');
    });

    it('a file with bad rows: each bad row with its reason, a repeated address once, nothing started', async () => {
      const file = [
        HEADER,
        `good@partner.example,Good,${env.base}/demo,,`,
        `not-an-address,Bad,${env.base}/demo,,`,
        `GOOD@partner.example,Again,${env.base}/demo,,`,
        `other@partner.example,No redirect,,,`,
        `good@partner.example,Third,${env.base}/demo,,`,
      ].join('\r\n');
      await upload('bad-rows.csv', file);
      expect(await page.title()).toContain('Validation report');
      const text = await main();
      expect(text).toContain(
        '5 rows: 1 will be invited, 2 have a problem and will not be, 2 repeat an address and will be skipped.',
      );
      const invalid = await page.locator('table.bulk-invalid tbody tr').allInnerTexts();
      expect(invalid).toHaveLength(2);
      expect(invalid[0]).toMatch(/^2\tnot-an-address\temail: /);
      expect(invalid[1]).toMatch(/^4\tother@partner.example\tredirectUrl: /);
      // The address is listed once, with every row it appears on.
      const duplicates = await page.locator('table.bulk-duplicates tbody tr').allInnerTexts();
      expect(duplicates).toEqual(['good@partner.example\t1, 3, 5']);
      expect(await page.getByRole('button', { name: 'Start the invitations' }).count()).toBe(1);
      await shot('bulk-report-bad-rows');
      // Not started: the list of jobs is still empty and nobody was invited.
      await page.getByRole('link', { name: 'Upload another file' }).click();
      expect(await main()).toContain('No bulk invitation yet.');
      expect(env.catcher.messages).toHaveLength(0);
    });

    it('a wrong header, a non-UTF-8 file and 50,001 rows are refused with the reason, on the upload page', async () => {
      await upload('wrong.csv', `mail,name\r\na@partner.example,A`);
      expect(await main()).toContain(
        "The first line must be the header 'email,displayName,redirectUrl,message,language'; found 'mail,name'.",
      );
      await upload(
        'latin1.csv',
        Buffer.from(`${HEADER}\r\nfran\xe7ois@partner.example,,${env.base}/demo,,`, 'latin1'),
      );
      expect(await main()).toContain('The file is not UTF-8 text.');
      const big = [
        HEADER,
        ...Array.from({ length: 50_001 }, (_, i) => `g${i}@big.example,,${env.base}/demo,,`),
      ];
      await upload('big.csv', big.join('\n'));
      expect(await main()).toContain(
        'A bulk invitation file holds at most 50,000 rows; this one has 50,001.',
      );
      await shot('bulk-upload-refused');
    });

    it('1,000 rows: report, Start (keyboard), live progress, results CSV, one mail per address', async () => {
      const emails = Array.from({ length: ROWS }, (_, i) => `bulk${i}@partner.example`);
      const file = [HEADER, ...emails.map((e, i) => `${e},Guest ${i},${env.base}/demo,,`)].join('\r\n');
      await upload('partners.csv', file);
      expect(await main()).toContain(
        '1,000 rows: 1,000 will be invited, 0 have a problem and will not be, 0 repeat an address and will be skipped.',
      );
      expect(await main()).toContain('Every row can be invited.');
      await shot('bulk-report');
      const reportUrl = page.url();

      await page.getByRole('button', { name: 'Start the invitations' }).focus();
      await Promise.all([
        page.waitForResponse((r) => r.url() === `${reportUrl}/start` && r.status() === 303),
        page.keyboard.press('Enter'),
      ]);
      await expect.poll(() => page.title()).toContain('Bulk invitation job');
      expect(page.url()).toBe(reportUrl);
      jobPage = reportUrl;
      await shot('bulk-job-running');
      await expect
        .poll(() => page.getByRole('status').first().textContent(), { timeout: 180_000, interval: 250 })
        .toBe('Completed: all 1,000 rows processed.');
      // The script followed the job (JSON polls) rather than the no-JavaScript refresh.
      expect(progressPolls.length).toBeGreaterThan(0);
      expect(progressPolls.every((status) => status === 200)).toBe(true);
      expect(await page.locator('[data-count="invited"]').textContent()).toBe('1,000');
      expect(await page.locator('[data-count="failed"]').textContent()).toBe('0');
      await shot('bulk-job-done');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the results (CSV)' }).click(),
      ]);
      const path = await download.path();
      const rows = parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;
      expect(Object.keys(rows[0] ?? {})).toEqual(['email', 'status', 'userId', 'error']);
      expect(rows).toHaveLength(ROWS);
      expect(rows.map((r) => r.email)).toEqual(emails);
      for (const row of rows) {
        expect(row.status, row.email).toBe('invited');
        expect(row.userId, row.email).toMatch(/^[0-9a-f-]{36}$/);
        expect(row.error).toBe('');
      }
      expect(new Set(rows.map((r) => r.userId)).size).toBe(ROWS);

      // Each address got exactly one mail, at the SMTP server.
      await env.catcher.waitFor(ROWS, 120_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const perAddress = new Map<string, number>();
      for (const mail of env.catcher.messages) {
        for (const to of mail.envelope.to.map((a) => a.toLowerCase())) {
          perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
        }
      }
      expect(env.catcher.messages).toHaveLength(ROWS);
      for (const email of emails) expect(perAddress.get(email), email).toBe(1);

      await page.getByRole('link', { name: 'All bulk invitations' }).click();
      const listed = await page.locator('table tbody tr').allInnerTexts();
      expect(listed).toHaveLength(1);
      expect(listed[0]).toContain('partners.csv');
      expect(listed[0]).toContain('Completed');
      expect(listed[0]).toContain('1,000 / 1,000');
    });

    it('the bulk pages fit a phone’s width', async () => {
      await page.setViewportSize({ width: 375, height: 740 });
      try {
        for (const url of [bulkPage, jobPage]) {
          await page.goto(url);
          const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
          expect(overflow, url).toBeLessThanOrEqual(0);
        }
        await shot('bulk-phone');
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    it('in French, the new console sections are reached with the keyboard alone', async () => {
      const french = await env.browser.newContext({
        locale: 'fr-FR',
        storageState: await context.storageState(),
      });
      const fr = await french.newPage();
      try {
        await fr.goto(bulkPage);
        expect(await fr.locator('h1').textContent()).toBe('Invitations en masse');
        await shot('bulk-fr', fr);
        await fr.goto(jobPage);
        expect(await fr.locator('h1').textContent()).toBe("Traitement d'invitations en masse");
        await shot('bulk-job-fr', fr);
        // From the job page to the identity providers and webhooks sections by Tab and Enter, no mouse.
        for (const [name, heading] of [
          ["Fournisseurs d'identité", "Fournisseurs d'identité"],
          ['Webhooks', 'Webhooks'],
        ] as const) {
          const focused = () => fr.evaluate('document.activeElement?.textContent?.trim()');
          for (let presses = 0; presses < 40 && (await focused()) !== name; presses++) {
            await fr.keyboard.press('Tab');
          }
          expect(await focused(), name).toBe(name);
          // Enter starts the navigation; wait for the link's page itself, not the load state of the page left.
          const href = (await fr.evaluate('document.activeElement?.href')) as string;
          await fr.keyboard.press('Enter');
          await fr.waitForURL(href);
          expect(await fr.locator('h1').textContent()).toBe(heading);
          await shot(`${name === 'Webhooks' ? 'webhooks' : 'identity-providers'}-fr`, fr);
        }
      } finally {
        await french.close();
      }
    });

    it('without JavaScript, a running job’s page refreshes itself until the job is done', async () => {
      await runner.stop();
      const noJs = await env.browser.newContext({
        javaScriptEnabled: false,
        storageState: await context.storageState(),
      });
      const plain = await noJs.newPage();
      try {
        await plain.goto(bulkPage);
        const file = [
          HEADER,
          ...Array.from({ length: 20 }, (_, i) => `nojs${i}@partner.example,,${env.base}/demo,,`),
        ];
        await upload('no-js.csv', file.join('\n'), plain);
        await plain.getByRole('button', { name: 'Start the invitations' }).click();
        await plain.waitForLoadState('load');
        expect(await main(plain)).toContain('0 of 20 rows processed (0 %).');
        expect(await plain.locator('noscript').count()).toBe(1);
        // Not audited here: the page reloads itself under axe (it is the page audited above, JavaScript on).
        await shot('bulk-job-no-js', plain, false);
        runner = startBulkRunner(env.t.app.services, { pollMs: 100, logger: silentMailLogger });
        await expect
          .poll(() => main(plain).catch(() => ''), { timeout: 60_000, interval: 500 })
          .toContain('Completed: all 20 rows processed.');
      } finally {
        await noJs.close();
      }
    });

    it('an unknown or forged job id is a 404; no CSP or serious accessibility violation', async () => {
      const other = await page.request.get(`${bulkPage}/00000000-0000-4000-8000-000000000000`);
      expect(other.status()).toBe(404);
      const forged = await page.request.get(`${bulkPage}/not-a-job/results`);
      expect(forged.status()).toBe(404);
      expect(cspViolations).toEqual([]);
      expect(env.violations).toEqual([]);
    });
  },
);
