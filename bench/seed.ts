import { randomUUID } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';

/**
 * Writes `count` users (half guests) straight into a bootstrapped Foyer SQLite database, in one transaction:
 * seeding through the API would measure the API, not the list.
 */
export function seedUsers(file: string, count: number): void {
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
