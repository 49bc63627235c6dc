import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type {
  Database,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from '../db/schema.js';

export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export async function insertEndpoint(db: Kysely<Database>, row: EndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export function listEndpoints(db: Kysely<Database>, tenantId: string): Promise<EndpointRow[]> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function findEndpoint(db: Kysely<Database>, tenantId: string, id: string) {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateEndpoint(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  changes: Updateable<WebhookEndpointsTable>,
): Promise<EndpointRow | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set(changes)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the endpoint; its deliveries and their attempts go with it (cascade). */
export async function deleteEndpoint(db: Kysely<Database>, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('webhook_endpoints')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The delivery log of one endpoint, newest first, with every attempt of each delivery. */
export async function deliveriesOf(
  db: Kysely<Database>,
  tenantId: string,
  endpointId: string,
  limit: number,
) {
  const deliveries = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('endpoint_id', '=', endpointId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const attempts =
    deliveries.length === 0
      ? []
      : await db
          .selectFrom('webhook_attempts')
          .selectAll()
          .where(
            'delivery_id',
            'in',
            deliveries.map((d) => d.id),
          )
          .orderBy('attempt')
          .execute();
  return deliveries.map((delivery) => ({
    delivery,
    attempts: attempts.filter((a) => a.delivery_id === delivery.id),
  }));
}

const isDue = (now: string, maxAttempts: number) => (eb: ExpressionBuilder<Database, 'webhook_deliveries'>) =>
  eb.or([
    eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
    eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<=', now), eb('attempts', '<', maxAttempts)]),
  ]);

/** Claims due deliveries under a lease, as the mail worker claims mail (src/mail/outbox-claims.ts). */
export async function claimDueDeliveries(
  db: Kysely<Database>,
  dialect: Dialect,
  options: { now: Date; leaseUntil: Date; claimToken: string; batchSize: number; maxAttempts: number },
): Promise<DeliveryRow[]> {
  const now = options.now.toISOString();
  const due = isDue(now, options.maxAttempts);
  const claim = (executor: Kysely<Database>, ids: string[]) =>
    executor
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: 'sending' as const,
        claimed_until: options.leaseUntil.toISOString(),
        claim_token: options.claimToken,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', ids)
      .where(due)
      .returningAll()
      .execute();
  const candidates = (executor: Kysely<Database>) => {
    const query = executor
      .selectFrom('webhook_deliveries')
      .select('id')
      .where(due)
      .orderBy('next_attempt_at')
      .limit(options.batchSize);
    return dialect === 'postgres' ? query.forUpdate().skipLocked().execute() : query.execute();
  };
  if (dialect === 'postgres') {
    return db.transaction().execute(async (trx) => {
      const ids = (await candidates(trx)).map((c) => c.id);
      return ids.length === 0 ? [] : claim(trx, ids);
    });
  }
  const ids = (await candidates(db)).map((c) => c.id);
  return ids.length === 0 ? [] : claim(db, ids);
}

/** A delivery whose worker died on its last allowed attempt ends as `failed` instead of staying `sending`. */
export async function failExhaustedDeliveries(db: Kysely<Database>, now: Date, maxAttempts: number) {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'failed',
      last_error: 'lease expired on the last attempt',
      claimed_until: null,
      claim_token: null,
    })
    .where('status', '=', 'sending')
    .where('claimed_until', '<=', now.toISOString())
    .where('attempts', '>=', maxAttempts)
    .execute();
}

/** Records one attempt and its outcome; guarded by the claim, so a worker that lost its lease changes nothing. */
export async function recordAttempt(
  db: Kysely<Database>,
  delivery: DeliveryRow,
  claimToken: string,
  attempt: Omit<AttemptRow, 'delivery_id' | 'attempt'>,
  changes: Updateable<WebhookDeliveriesTable>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('webhook_deliveries')
      .set({ ...changes, claimed_until: null, claim_token: null })
      .where('id', '=', delivery.id)
      .where('status', '=', 'sending')
      .where('claim_token', '=', claimToken)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    await trx
      .insertInto('webhook_attempts')
      .values({ ...attempt, delivery_id: delivery.id, attempt: delivery.attempts })
      .execute();
    return true;
  });
}
