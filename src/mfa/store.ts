import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { MfaMethodsTable } from '../db/schema.js';

/** SQL for a user's TOTP method, its recovery codes, and the sessions that passed a tenant's MFA. */

export type MfaMethodRow = Selectable<MfaMethodsTable>;

export async function findMethodOf(db: Executor, tenantId: string, userId: string) {
  return db
    .selectFrom('mfa_methods')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** A pending method for enrolment; when one exists already (a reload, two tabs), that one wins and is returned. */
export async function insertPendingMethod(
  db: Executor,
  tenantId: string,
  row: { id: string; user_id: string; secret_encrypted: string; created_at: string },
): Promise<MfaMethodRow> {
  await db
    .insertInto('mfa_methods')
    .values({ ...row, tenant_id: tenantId, status: 'pending', last_used_step: null, activated_at: null })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
    .execute();
  const method = await findMethodOf(db, tenantId, row.user_id);
  if (!method) throw new Error('The MFA method vanished while it was being enrolled.');
  return method;
}

/**
 * Accepts a TOTP time step once: the update wins only when the step is newer than the last accepted one (and, for
 * enrolment, only while the method is still pending), so a replayed code, or the same code sent twice at once,
 * matches no row.
 */
export async function acceptStep(
  db: Executor,
  tenantId: string,
  methodId: string,
  step: number,
  activateAt: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('mfa_methods')
    .set(
      activateAt
        ? { last_used_step: step, status: 'active', activated_at: activateAt }
        : { last_used_step: step },
    )
    .where('tenant_id', '=', tenantId)
    .where('id', '=', methodId)
    .where('status', '=', activateAt ? 'pending' : 'active')
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The administrator's reset: the method, its recovery codes and the sessions it satisfied go together. */
export async function deleteMethod(db: Executor, tenantId: string, userId: string, methodId: string) {
  const result = await db
    .deleteFrom('mfa_methods')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('id', '=', methodId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) return false;
  await db
    .deleteFrom('mfa_recovery_codes')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute();
  await db
    .deleteFrom('web_session_mfa')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute();
  return true;
}

export async function insertRecoveryCodes(
  db: Executor,
  tenantId: string,
  userId: string,
  hashes: string[],
  now: string,
): Promise<void> {
  await db
    .deleteFrom('mfa_recovery_codes')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute();
  await db
    .insertInto('mfa_recovery_codes')
    .values(
      hashes.map((code_hash) => ({
        tenant_id: tenantId,
        user_id: userId,
        code_hash,
        created_at: now,
        used_at: null,
      })),
    )
    .execute();
}

/** Uses a recovery code once: only the first of two concurrent uses matches the unused row. */
export async function consumeRecoveryCode(
  db: Executor,
  tenantId: string,
  userId: string,
  codeHash: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findSessionMfa(
  db: Executor,
  tenantId: string,
  sessionHash: string,
  userId: string,
  now: string,
) {
  return db
    .selectFrom('web_session_mfa')
    .select(['method', 'satisfied_at'])
    .where('session_hash', '=', sessionHash)
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function recordSessionMfa(
  db: Executor,
  tenantId: string,
  row: { session_hash: string; user_id: string; method: string; satisfied_at: string; expires_at: string },
): Promise<void> {
  await db
    .insertInto('web_session_mfa')
    .values({ ...row, tenant_id: tenantId })
    .onConflict((oc) =>
      oc.columns(['session_hash', 'tenant_id']).doUpdateSet({
        user_id: row.user_id,
        method: row.method,
        satisfied_at: row.satisfied_at,
        expires_at: row.expires_at,
      }),
    )
    .execute();
}
