import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { WebSessionsTable } from '../db/schema.js';

/** Instance-level SQL for browser sessions: a session belongs to a person, not to a tenant. */

export type WebSessionRow = Selectable<WebSessionsTable>;

export async function insertSession(db: Executor, row: WebSessionRow): Promise<void> {
  await db.insertInto('web_sessions').values(row).execute();
}

export async function findLiveSession(db: Executor, idHash: string, now: string) {
  return db
    .selectFrom('web_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOf(db: Executor, subject: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('subject', '=', subject).execute();
}

export async function deleteExpiredSessions(db: Executor, now: string): Promise<number> {
  const result = await db.deleteFrom('web_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A method proven after the sign-in (MFA): the session's amr grows (src/mfa). */
export async function updateSessionAmr(db: Executor, idHash: string, amr: string[]): Promise<void> {
  await db
    .updateTable('web_sessions')
    .set({ amr: JSON.stringify(amr) })
    .where('id_hash', '=', idHash)
    .execute();
}
