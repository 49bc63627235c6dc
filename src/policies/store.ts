import type { Transaction } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Executor } from '../db/executor.js';
import { prepared } from '../db/prepared.js';
import type { Database } from '../db/schema.js';

export type PolicyType = 'authorizationPolicy' | 'b2bManagementPolicy';

// Read on every sign-in and invitation: compiled once (src/db/prepared.ts).
const policyDocument = prepared<{ document: string }, [string, PolicyType]>(2, (db, tenantId, type) =>
  db
    .selectFrom('policies')
    .select('document')
    .where('tenant_id', '=', tenantId)
    .where('policy_type', '=', type as PolicyType),
);

export async function readPolicy(
  db: Executor,
  tenantId: string,
  type: PolicyType,
): Promise<unknown | undefined> {
  const [row] = await policyDocument(db, tenantId, type);
  return row ? JSON.parse(row.document) : undefined;
}

/**
 * Reads a policy for a read-modify-write inside the caller's transaction, holding the row until it commits.
 * The row is created first (with `initial`) when missing, so there is always a row to lock: two first-time
 * writers wait on each other's insert instead of both merging into the defaults. PostgreSQL: SELECT … FOR
 * UPDATE. SQLite needs no row lock: Kysely's SQLite driver runs one transaction at a time on its connection.
 */
export async function readPolicyForUpdate(
  trx: Transaction<Database>,
  dialect: Dialect,
  tenantId: string,
  type: PolicyType,
  initial: unknown,
  now: string,
): Promise<unknown> {
  await trx
    .insertInto('policies')
    .values({ tenant_id: tenantId, policy_type: type, document: JSON.stringify(initial), updated_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'policy_type']).doNothing())
    .execute();
  const query = trx
    .selectFrom('policies')
    .select('document')
    .where('tenant_id', '=', tenantId)
    .where('policy_type', '=', type);
  const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirstOrThrow();
  return JSON.parse(row.document);
}

export async function writePolicy(
  db: Executor,
  tenantId: string,
  type: PolicyType,
  document: unknown,
  now: string,
): Promise<void> {
  await db
    .insertInto('policies')
    .values({ tenant_id: tenantId, policy_type: type, document: JSON.stringify(document), updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'policy_type'])
        .doUpdateSet({ document: JSON.stringify(document), updated_at: now }),
    )
    .execute();
}
