import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { Database, SignInsTable } from '../db/schema.js';
import { queryPage } from '../graph/collection.js';
import type { QueryOptions } from '../graph/odata/index.js';
import { signInEntity } from './entity.js';

export type SignInRow = Selectable<SignInsTable>;

export async function insertSignIn(
  db: Executor,
  tenantId: string,
  row: Omit<Insertable<SignInsTable>, 'tenant_id'>,
): Promise<void> {
  await db
    .insertInto('sign_ins')
    .values({ ...row, tenant_id: tenantId })
    .execute();
}

export async function findSignIn(db: Executor, tenantId: string, id: string): Promise<SignInRow | undefined> {
  return db
    .selectFrom('sign_ins')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id.toLowerCase())
    .executeTakeFirst();
}

/** One keyset page of the tenant's log under the request's $filter / $top / $skiptoken (newest first). */
export function signInPage(db: Kysely<Database>, tenantId: string, options: QueryOptions) {
  return queryPage(() => db.selectFrom('sign_ins'), tenantId, options, signInEntity);
}
