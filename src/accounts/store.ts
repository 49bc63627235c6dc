import type { Selectable, Updateable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { PersonalAccountsTable } from '../db/schema.js';

/** Instance-level SQL: personal accounts belong to no tenant (PRODUCT §1). */

export type PersonalAccountRow = Selectable<PersonalAccountsTable>;

export async function findAccountByEmail(db: Executor, email: string) {
  return db
    .selectFrom('personal_accounts')
    .selectAll()
    .where('email_lower', '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function findAccountById(db: Executor, id: string) {
  return db.selectFrom('personal_accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertAccount(db: Executor, row: PersonalAccountRow): Promise<void> {
  await db.insertInto('personal_accounts').values(row).execute();
}

export async function updateAccount(db: Executor, id: string, patch: Updateable<PersonalAccountsTable>) {
  await db.updateTable('personal_accounts').set(patch).where('id', '=', id).execute();
}
