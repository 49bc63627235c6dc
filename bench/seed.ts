import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';

/**
 * Writes `count` users (half guests, a quarter accepted) straight into a bootstrapped Foyer database, in one
 * transaction: seeding through the API would measure the API, not the list. `databaseUrl` is the server's
 * FOYER_DATABASE_URL (`sqlite:…`, or `postgres://…?schema=…` as bench/foyer-env.ts makes it); both dialects
 * get the same rows.
 */
export function seedUsers(databaseUrl: string, count: number): void {
  if (databaseUrl.startsWith('sqlite:')) seedSqlite(databaseUrl.slice('sqlite:'.length), count);
  else seedPostgres(databaseUrl, count);
}

function seedSqlite(file: string, count: number): void {
  const db = new SqliteDatabase(file);
  const tenant = db.prepare('select id, default_domain from tenants limit 1').get() as {
    id: string;
    default_domain: string;
  };
  const insert =
    db.prepare(`insert into users (tenant_id, id, display_name, mail, other_mails, user_principal_name,
    mail_nickname, user_type, account_enabled, created_at, creation_type, external_user_state, external_user_state_changed_at)
    values (?, ?, ?, ?, '[]', ?, ?, ?, 1, ?, ?, ?, ?)`);
  const now = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const guest = i % 2 === 0;
      const mail = `user${i}@partner${i % 97}.example`;
      const upn = guest
        ? `${mail.replace('@', '_')}#EXT#@${tenant.default_domain}`
        : `user${i}@${tenant.default_domain}`;
      insert.run(
        tenant.id,
        randomUUID(),
        `User ${String(i).padStart(6, '0')}`,
        mail,
        upn,
        `user${i}`,
        guest ? 'Guest' : 'Member',
        now,
        guest ? 'Invitation' : null,
        guest ? (i % 4 === 0 ? 'Accepted' : 'PendingAcceptance') : null,
        guest ? now : null,
      );
    }
  })();
  // Fold the seed into the main file, as SQLite's own checkpointing would over time.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** The same rows in one `insert … select` over generate_series (psql), then ANALYZE as autovacuum would. */
function seedPostgres(databaseUrl: string, count: number): void {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema name ${schema}`);
  const now = new Date().toISOString();
  const script = `
set search_path to ${schema};
insert into users (tenant_id, id, display_name, mail, other_mails, user_principal_name, mail_nickname, user_type,
  account_enabled, created_at, creation_type, external_user_state, external_user_state_changed_at)
select t.id, gen_random_uuid()::text, 'User ' || lpad(i::text, 6, '0'), 'user' || i || '@partner' || (i % 97) || '.example',
  '[]',
  case when i % 2 = 0 then 'user' || i || '_partner' || (i % 97) || '.example#EXT#@' || t.default_domain
       else 'user' || i || '@' || t.default_domain end,
  'user' || i, case when i % 2 = 0 then 'Guest' else 'Member' end, 1, '${now}',
  case when i % 2 = 0 then 'Invitation' end,
  case when i % 4 = 0 then 'Accepted' when i % 2 = 0 then 'PendingAcceptance' end,
  case when i % 2 = 0 then '${now}' end
from generate_series(0, ${count - 1}) as i, (select id, default_domain from tenants limit 1) as t;
analyze users;
`;
  execFileSync('psql', [url.toString(), '-v', 'ON_ERROR_STOP=1', '-q'], {
    input: script,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}
