import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import { prepared } from '../db/prepared.js';
import type { OidcSigningKeysTable } from '../db/schema.js';

/** SQL for the OIDC concept. tenantId first, always: a provider only ever sees its own tenant's rows. */

export type SigningKeyRow = Selectable<OidcSigningKeysTable>;

export interface PayloadRow {
  payload: string;
  expires_at: number | string | null;
  consumed_at: number | string | null;
}

// ---- oidc-provider artefacts ------------------------------------------------------------------------------

/**
 * The statements of every token request (a refresh: find the token and its grant, consume it, store its
 * successor) are compiled once (src/db/prepared.ts): the SQL is what Kysely builds, only bound per call.
 */
const upsertPayloadRow = prepared<
  never,
  [string, string, string, string, string | null, string | null, string | null, number | null]
>(8, (db, tenantId, model, id, payload, grantId, userCode, uid, expiresAt) => {
  // A placeholder stands for the number (or null) bound at each call.
  const values = {
    payload,
    grant_id: grantId,
    user_code: userCode,
    uid,
    expires_at: expiresAt as unknown as number,
  };
  return db
    .insertInto('oidc_payloads')
    .values({ tenant_id: tenantId, model, id, consumed_at: null, ...values })
    .onConflict((oc) => oc.columns(['tenant_id', 'model', 'id']).doUpdateSet(values));
});

export async function upsertPayload(
  db: Executor,
  tenantId: string,
  row: {
    model: string;
    id: string;
    payload: string;
    grantId: string | null;
    userCode: string | null;
    uid: string | null;
    expiresAt: number | null;
  },
): Promise<void> {
  await upsertPayloadRow(
    db,
    tenantId,
    row.model,
    row.id,
    row.payload,
    row.grantId,
    row.userCode,
    row.uid,
    row.expiresAt,
  );
}

const payloadColumns = ['payload', 'expires_at', 'consumed_at'] as const;

const findPayloadRow = prepared<PayloadRow, [string, string, string]>(3, (db, tenantId, model, id) =>
  db
    .selectFrom('oidc_payloads')
    .select(payloadColumns)
    .where('tenant_id', '=', tenantId)
    .where('model', '=', model)
    .where('id', '=', id),
);

export async function findPayload(
  db: Executor,
  tenantId: string,
  model: string,
  id: string,
): Promise<PayloadRow | undefined> {
  const [row] = await findPayloadRow(db, tenantId, model, id);
  return row;
}

interface PayloadWithGrantRow extends PayloadRow {
  grant_id: string | null;
  grant_payload: string | null;
  grant_expires_at: number | string | null;
  grant_consumed_at: number | string | null;
}

const findPayloadWithGrantRow = prepared<PayloadWithGrantRow, [string, string, string]>(
  3,
  (db, tenantId, model, id) =>
    db
      .selectFrom('oidc_payloads as token')
      .leftJoin('oidc_payloads as grant', (join) =>
        join
          .onRef('grant.tenant_id', '=', 'token.tenant_id')
          .on('grant.model', '=', 'Grant')
          .onRef('grant.id', '=', 'token.grant_id'),
      )
      .select([
        'token.payload',
        'token.expires_at',
        'token.consumed_at',
        'token.grant_id',
        'grant.payload as grant_payload',
        'grant.expires_at as grant_expires_at',
        'grant.consumed_at as grant_consumed_at',
      ])
      .where('token.tenant_id', '=', tenantId)
      .where('token.model', '=', model)
      .where('token.id', '=', id),
);

/**
 * A token (a refresh token, a code) with the grant it names, in one statement: oidc-provider looks the grant up
 * right after the token on every refresh and code exchange.
 */
export async function findPayloadWithGrant(
  db: Executor,
  tenantId: string,
  model: string,
  id: string,
): Promise<{ token: PayloadRow; grantId: string | null; grant: PayloadRow | undefined } | undefined> {
  const [row] = await findPayloadWithGrantRow(db, tenantId, model, id);
  if (!row) return undefined;
  const token = { payload: row.payload, expires_at: row.expires_at, consumed_at: row.consumed_at };
  const grant =
    row.grant_payload === null
      ? undefined
      : { payload: row.grant_payload, expires_at: row.grant_expires_at, consumed_at: row.grant_consumed_at };
  return { token, grantId: row.grant_id, grant };
}

const findPayloadByColumn = (column: 'uid' | 'user_code') =>
  prepared<PayloadRow, [string, string, string]>(3, (db, tenantId, model, value) =>
    db
      .selectFrom('oidc_payloads')
      .select(payloadColumns)
      .where('tenant_id', '=', tenantId)
      .where('model', '=', model)
      .where(column, '=', value),
  );
// Sessions by uid (oidc-provider's Session.findByUid), device codes by user code.
const findPayloadByUid = findPayloadByColumn('uid');
const findPayloadByUserCode = findPayloadByColumn('user_code');

export async function findPayloadBy(
  db: Executor,
  tenantId: string,
  model: string,
  column: 'uid' | 'user_code',
  value: string,
): Promise<PayloadRow | undefined> {
  const [row] = await (column === 'uid' ? findPayloadByUid : findPayloadByUserCode)(
    db,
    tenantId,
    model,
    value,
  );
  return row;
}

// Only an artefact not consumed yet: of two requests racing with one code or refresh token, one consumes it.
const consumePayloadRow = prepared<{ id: string }, [string, string, string, number]>(
  4,
  (db, tenantId, model, id, now) =>
    db
      .updateTable('oidc_payloads')
      .set({ consumed_at: now as unknown as number })
      .where('tenant_id', '=', tenantId)
      .where('model', '=', model)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .returning('id'),
);

/** Marks an artefact consumed; false when it was consumed already (or is gone). */
export async function consumePayload(
  db: Executor,
  tenantId: string,
  model: string,
  id: string,
  now: number,
): Promise<boolean> {
  return (await consumePayloadRow(db, tenantId, model, id, now)).length > 0;
}

export async function deletePayload(db: Executor, tenantId: string, model: string, id: string) {
  await db
    .deleteFrom('oidc_payloads')
    .where('tenant_id', '=', tenantId)
    .where('model', '=', model)
    .where('id', '=', id)
    .execute();
}

/**
 * A replay detected by a lost race (SqlAdapter#consume): the grant itself and every artefact issued under it, in
 * one statement. Without the grant, a successor token the race's winner stores after this (a refresh token, a
 * code's tokens) is refused at its first use, as oidc-provider refuses every token of a revoked grant.
 */
export async function deleteGrantWithArtefacts(db: Executor, tenantId: string, grantId: string) {
  await db
    .deleteFrom('oidc_payloads')
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]),
    )
    .execute();
}

/** Revoking a grant removes every artefact issued under it, whatever its model (codes, refresh tokens…). */
export async function deletePayloadsByGrant(db: Executor, tenantId: string, grantId: string) {
  await db
    .deleteFrom('oidc_payloads')
    .where('tenant_id', '=', tenantId)
    .where('grant_id', '=', grantId)
    .execute();
}

/** Instance-level housekeeping: expired artefacts of every tenant. Returns the number of rows removed. */
export async function deleteExpiredPayloads(db: Executor, now: number): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- signing keys ----------------------------------------------------------------------------------------

export async function listSigningKeys(db: Executor, tenantId: string): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('oidc_signing_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
}

/** The cheap check other instances run to notice a rotation: which keys exist and which are retired. */
export async function listSigningKeyStates(db: Executor, tenantId: string) {
  return db
    .selectFrom('oidc_signing_keys')
    .select(['kid', 'retired_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('kid')
    .execute();
}

/** Instance-level: every tenant's keys still published (current, or retired after `retiredAfter`). */
export async function listSigningKeysInUse(db: Executor, retiredAfter: string) {
  return db
    .selectFrom('oidc_signing_keys')
    .select(['tenant_id', 'kid', 'private_jwk_encrypted'])
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
    .execute();
}

export async function insertSigningKey(db: Executor, row: SigningKeyRow): Promise<void> {
  await db.insertInto('oidc_signing_keys').values(row).execute();
}

/** The current key stops being current; it keeps signing until `retiredAt` (the end of the grace period). */
export async function retireCurrentSigningKey(
  db: Executor,
  tenantId: string,
  retiredAt: string,
): Promise<string[]> {
  const retired = await db
    .selectFrom('oidc_signing_keys')
    .select('kid')
    .where('tenant_id', '=', tenantId)
    .where('retired_at', 'is', null)
    .execute();
  await db
    .updateTable('oidc_signing_keys')
    .set({ retired_at: retiredAt })
    .where('tenant_id', '=', tenantId)
    .where('retired_at', 'is', null)
    .execute();
  return retired.map((row) => row.kid);
}
