import type { ExpressionBuilder, Kysely, Selectable, Transaction } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { BulkJobRowsTable, BulkJobsTable, BulkRowStatus, Database } from '../db/schema.js';

export type BulkJobRow = Selectable<BulkJobsTable>;
export type BulkRowRecord = Selectable<BulkJobRowsTable>;
type Executor = Kysely<Database> | Transaction<Database>;

/** Rows are written in slices: SQLite allows 32,766 bound values per statement, PostgreSQL 65,535. */
const INSERT_SLICE = 1_000;

export async function insertJob(
  trx: Transaction<Database>,
  job: BulkJobRow,
  rows: Array<Omit<BulkRowRecord, 'tenant_id' | 'job_id'>>,
): Promise<void> {
  await trx.insertInto('bulk_jobs').values(job).execute();
  for (let i = 0; i < rows.length; i += INSERT_SLICE) {
    await trx
      .insertInto('bulk_job_rows')
      .values(
        rows.slice(i, i + INSERT_SLICE).map((r) => ({ ...r, tenant_id: job.tenant_id, job_id: job.id })),
      )
      .execute();
  }
}

export function findJob(db: Executor, tenantId: string, id: string): Promise<BulkJobRow | undefined> {
  return db
    .selectFrom('bulk_jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Rows whose result is known, in file order (the results file). */
export function processedRows(db: Executor, tenantId: string, jobId: string) {
  return db
    .selectFrom('bulk_job_rows')
    .select(['email', 'status', 'user_id', 'error'])
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .where('status', '!=', 'pending')
    .orderBy('row_number')
    .execute();
}

export function pendingRows(db: Executor, jobId: string, limit: number): Promise<BulkRowRecord[]> {
  return db
    .selectFrom('bulk_job_rows')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('status', '=', 'pending')
    .orderBy('row_number')
    .limit(limit)
    .execute();
}

const counterOf = {
  invited: 'invited_count',
  reinvited: 'reinvited_count',
  failed: 'failed_count',
  skipped: 'skipped_count',
} as const;

/**
 * A row's result, guarded on the row still being pending: false means another worker recorded it first, and
 * the caller must roll its transaction back (the row's invitation with it). The job's counters move in the
 * same transaction, so they always equal the rows' results.
 */
export async function recordRowResult(
  trx: Transaction<Database>,
  row: Pick<BulkRowRecord, 'job_id' | 'row_number'>,
  result: {
    status: Exclude<BulkRowStatus, 'pending'>;
    userId: string | null;
    error: string | null;
    now: string;
  },
): Promise<boolean> {
  const updated = await trx
    .updateTable('bulk_job_rows')
    .set({ status: result.status, user_id: result.userId, error: result.error, processed_at: result.now })
    .where('job_id', '=', row.job_id)
    .where('row_number', '=', row.row_number)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) return false;
  const counter = counterOf[result.status];
  await trx
    .updateTable('bulk_jobs')
    .set((eb) => ({
      processed_rows: eb('processed_rows', '+', 1),
      [counter]: eb(counter, '+', 1),
    }))
    .where('id', '=', row.job_id)
    .execute();
  return true;
}

/** Claimable: running and nobody holds it (never claimed, released, or its holder's lease ran out). */
const claimable = (now: string) => (eb: ExpressionBuilder<Database, 'bulk_jobs'>) =>
  eb.and([
    eb('status', '=', 'running'),
    eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]),
  ]);

/**
 * Takes one job under a lease, as the mail worker takes mail (src/mail/outbox-claims.ts): SELECT … FOR UPDATE
 * SKIP LOCKED on PostgreSQL, one guarded UPDATE … RETURNING on SQLite, which serialises writers.
 */
export async function claimJob(
  db: Kysely<Database>,
  dialect: Dialect,
  options: { now: Date; leaseUntil: Date; claimToken: string },
): Promise<BulkJobRow | undefined> {
  const now = options.now.toISOString();
  const claim = (executor: Executor, id: string) =>
    executor
      .updateTable('bulk_jobs')
      .set((eb) => ({
        claimed_until: options.leaseUntil.toISOString(),
        claim_token: options.claimToken,
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
      }))
      .where('id', '=', id)
      .where(claimable(now))
      .returningAll()
      .executeTakeFirst();
  if (dialect === 'postgres') {
    return db.transaction().execute(async (trx) => {
      const candidate = await trx
        .selectFrom('bulk_jobs')
        .select('id')
        .where(claimable(now))
        .orderBy('created_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      return candidate ? claim(trx, candidate.id) : undefined;
    });
  }
  const candidate = await db
    .selectFrom('bulk_jobs')
    .select('id')
    .where(claimable(now))
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return candidate ? claim(db, candidate.id) : undefined;
}

/** Extends (or, with null, releases) the lease; false when the claim was lost to another worker. */
export async function renewJobClaim(
  db: Kysely<Database>,
  jobId: string,
  claimToken: string,
  leaseUntil: Date | null,
): Promise<boolean> {
  const result = await db
    .updateTable('bulk_jobs')
    .set({
      claimed_until: leaseUntil?.toISOString() ?? null,
      ...(leaseUntil === null && { claim_token: null }),
    })
    .where('id', '=', jobId)
    .where('claim_token', '=', claimToken)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Completes the job once no row is pending; guarded by the claim. */
export async function completeJob(db: Kysely<Database>, jobId: string, claimToken: string, now: string) {
  await db
    .updateTable('bulk_jobs')
    .set({ status: 'completed', completed_at: now, claimed_until: null, claim_token: null })
    .where('id', '=', jobId)
    .where('claim_token', '=', claimToken)
    .where('status', '=', 'running')
    .execute();
}

/** The tenant's latest jobs that were started (a `validated` file waiting for Start is not a job yet). */
export function recentJobs(db: Executor, tenantId: string, limit: number): Promise<BulkJobRow[]> {
  return db
    .selectFrom('bulk_jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '!=', 'validated')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Starts a validated job, guarded on it still being `validated`: two clicks on Start (or two administrators)
 * start it once. A file with no row left to invite completes at once. False when it was started already.
 */
export async function startValidatedJob(
  db: Executor,
  tenantId: string,
  job: Pick<BulkJobRow, 'id' | 'total_rows' | 'processed_rows'>,
  now: string,
): Promise<boolean> {
  const nothingToDo = job.processed_rows >= job.total_rows;
  const result = await db
    .updateTable('bulk_jobs')
    .set({ status: nothingToDo ? 'completed' : 'running', completed_at: nothingToDo ? now : null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', job.id)
    .where('status', '=', 'validated')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Files validated and never started are dropped after a while (their rows go with them, ON DELETE CASCADE). */
export async function deleteStaleValidatedJobs(db: Executor, tenantId: string, createdBefore: string) {
  const stale = db
    .selectFrom('bulk_jobs')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'validated')
    .where('created_at', '<', createdBefore);
  // The rows first: SQLite enforces the foreign key's cascade only when foreign_keys is on.
  await db
    .deleteFrom('bulk_job_rows')
    .where('tenant_id', '=', tenantId)
    .where('job_id', 'in', stale)
    .execute();
  await db
    .deleteFrom('bulk_jobs')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'validated')
    .where('created_at', '<', createdBefore)
    .execute();
}
