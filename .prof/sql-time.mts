import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { buildApp } from '/work/main/src/app.ts';
import { loadConfig } from '/work/main/src/config/index.ts';
import { migrateToLatest } from '/work/main/src/db/migrate.ts';
import { provisionTenant } from '/work/main/src/tenants/provision.ts';
import { appToken } from '/work/main/test/helpers/tokens.ts';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/sqlt-');
const raw = new SqliteDatabase(`${dir}/f.db`);
raw.pragma('journal_mode = WAL'); raw.pragma('synchronous = NORMAL'); raw.pragma('foreign_keys = ON');
const times = new Map<string, { n: number; t: number }>();
const cache = new Map<string, any>();
const database = { close: () => raw.close(), prepare(sql: string) {
  let st = cache.get(sql); if (!st) { st = raw.prepare(sql); cache.set(sql, st); }
  const wrap = (fn: string) => (p: any) => { const s = performance.now(); const r = st[fn](p); const e = performance.now() - s; const k = sql.slice(0, 110); const v = times.get(k) ?? { n: 0, t: 0 }; v.n++; v.t += e; times.set(k, v); return r; };
  return { reader: st.reader, all: wrap('all'), run: wrap('run'), iterate: (p: any) => st.iterate(p) };
} };
const db = new Kysely<any>({ dialect: new SqliteDialect({ database: database as any }) });
await migrateToLatest(db);
const config = { ...loadConfig({ FOYER_ENV: 'test', FOYER_BASE_URL: 'https://x.test', FOYER_INVITE_RATE_LIMIT: '0', FOYER_API_RATE_LIMIT: '0' }), secret: 'x'.repeat(40) };
const app = await buildApp({ config, database: { db, dialect: 'sqlite', close: async () => {} } as any, logger: false });
const tenant = await provisionTenant(app.services, { displayName: 'T' });
const token = await appToken(app, { tenant: tenant.tenantSlug, clientId: tenant.clientId, clientSecret: tenant.clientSecret });
times.clear();
const s = performance.now();
for (let i = 0; i < 2000; i++) {
  const r = await app.inject({ method: 'POST', url: '/v1.0/invitations', headers: { authorization: `Bearer ${token}` }, payload: { invitedUserEmailAddress: `g${i}@p${i % 50}.example`, inviteRedirectUrl: 'https://a.example/', sendInvitationMessage: true } });
  if (r.statusCode !== 201) throw new Error(r.body);
}
const total = performance.now() - s;
let sqlTotal = 0; for (const v of times.values()) sqlTotal += v.t;
console.log('per invite ms', (total / 2000).toFixed(3), 'sql ms', (sqlTotal / 2000).toFixed(3));
for (const [k, v] of [...times].sort((a, b) => b[1].t - a[1].t).slice(0, 20)) console.log((v.t / 2000).toFixed(3), v.n, k);
await app.close();
