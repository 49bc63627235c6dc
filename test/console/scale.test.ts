import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import type { PageClient } from '../helpers/page-client.js';
import { consoleAs } from './support.js';

const USERS = 100_000;

/** The users list stays fast with 100,000 users: keyset pages, never an offset or a full count. */
describe.each(testDialects())('console users list at 100,000 users (%s)', (dialect) => {
  let t: TestApp;
  let browser: PageClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const now = new Date().toISOString();
    for (let start = 0; start < USERS; start += 1000) {
      const rows = Array.from({ length: 1000 }, (_, k) => {
        const i = start + k;
        const guest = i % 2 === 0;
        return {
          tenant_id: t.tenant.tenantId,
          id: t.app.services.ids.uuid(),
          display_name: `Person ${String(i).padStart(6, '0')}`,
          given_name: null,
          surname: null,
          mail: `p${i}@scale.example`,
          other_mails: '[]',
          user_principal_name: guest ? `p${i}_scale.example#EXT#@contoso.test` : `p${i}@contoso.test`,
          mail_nickname: `p${i}`,
          user_type: guest ? ('Guest' as const) : ('Member' as const),
          account_enabled: 1,
          preferred_language: null,
          created_at: now,
          creation_type: guest ? 'Invitation' : null,
          external_user_state: guest ? (i % 4 === 0 ? 'Accepted' : 'PendingAcceptance') : null,
          external_user_state_changed_at: null,
          password_hash: null,
          job_title: null,
          consented_at: null,
          sign_in_sessions_valid_from: null,
        };
      });
      await t.app.services.db.insertInto('users').values(rows).execute();
    }
    // Fresh tables have no planner statistics yet; a real database has them (autovacuum analyses).
    if (dialect === 'postgres') await sql`analyze users`.execute(t.app.services.db);
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  }, 300_000);
  afterAll(() => t.close());

  it.each(['all', 'guests', 'pending', 'accepted'])(
    'follows "Next page" through the %s filter',
    async (show) => {
      let url: string | undefined = `/${t.tenant.tenantId}/admin/users?show=${show}`;
      const seen = new Set<string>();
      const times: number[] = [];
      for (let page = 0; page < 5 && url; page++) {
        const started = performance.now();
        const response = await browser.get(url);
        times.push(performance.now() - started);
        expect(response.statusCode).toBe(200);
        for (const match of response.body.matchAll(/\/admin\/users\/([0-9a-f-]{36})"/g)) {
          expect(seen.has(match[1]!)).toBe(false);
          seen.add(match[1]!);
        }
        url = /href="([^"]+)" rel="next"/.exec(response.body)?.[1]?.replace(/&amp;/g, '&');
      }
      expect(seen.size).toBe(250);
      // Generous for a shared 2-core machine; typically a few tens of milliseconds.
      expect(Math.max(...times)).toBeLessThan(2000);
    },
  );
});
