import { sql } from 'kysely';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';

export interface Limit {
  limit: number;
  windowSeconds: number;
}

/**
 * Fixed-window rate limiting (PRODUCT §3); a limit of 0 turns it off. Limits must hold across instances, and
 * only PostgreSQL deployments have several (scale-out needs PostgreSQL, §8): there the counter is one upsert in
 * the database (INSERT … ON CONFLICT DO UPDATE … RETURNING count). A SQLite deployment is one process, so its
 * counters live in memory and a request pays no extra write.
 */
export async function consume(services: Services, bucket: string, limit: Limit): Promise<void> {
  if (limit.limit <= 0) return;
  const { windowStart, now, windowMs } = windowOf(services, limit);
  const count = await increment(services, bucket, windowStart);
  if (count > limit.limit) throw tooMany(windowStart, windowMs, now);
}

/**
 * A ceiling that only some requests pay for (src/ratelimit/budgets.ts): refuses when the window's count has
 * reached the limit, without counting this request; `charge` counts it once it turns out to be chargeable.
 * Checking costs no query: on PostgreSQL an instance knows the shared count from its own last charge (the
 * upsert returns it), so past the ceiling each instance lets through at most the requests in flight plus one.
 * The per-caller budgets in front of it are exact.
 */
export async function peek(services: Services, bucket: string, limit: Limit): Promise<void> {
  if (limit.limit <= 0) return;
  const { windowStart, now, windowMs } = windowOf(services, limit);
  const known = (
    services.dialect === 'postgres' ? observedCountsOf(services) : memoryCountersOf(services)
  ).get(bucket);
  const count = known?.windowStart === windowStart ? known.count : 0;
  if (count >= limit.limit) throw tooMany(windowStart, windowMs, now);
}

export async function charge(services: Services, bucket: string, limit: Limit): Promise<void> {
  if (limit.limit <= 0) return;
  const { windowStart } = windowOf(services, limit);
  if (services.dialect !== 'postgres') {
    countInMemory(services, bucket, windowStart);
    return;
  }
  const count = await countInShard(services, bucket, windowStart);
  observedCountsOf(services).set(bucket, { windowStart, count });
}

/** This process's shard of the tenant-wide counters: one per database handle (one per app), random. */
const shards = new WeakMap<object, string>();

/**
 * A tenant-wide ceiling on PostgreSQL: each instance counts in its own row (no row lock shared between
 * instances: with one row per tenant, every successful API call of every instance queued on it) and reads the
 * other instances' rows in the same statement. The sum misses only the other instances' increments that have
 * not committed when the statement starts — requests in flight there, each a single-statement transaction —
 * which is the error `peek` already allows: past the ceiling, each instance lets through at most the requests
 * it has in flight plus one.
 */
async function countInShard(services: Services, bucket: string, windowStart: number): Promise<number> {
  let shard = shards.get(services.db);
  if (!shard) {
    shard = services.ids.uuid();
    shards.set(services.db, shard);
  }
  const { rows } = await sql<{ total: number | string }>`
    insert into rate_limit_shards (bucket, window_start, shard, count)
    select ${bucket}, ${windowStart}::bigint, ${shard}, 1 from ${commitOf(services)}
    on conflict (bucket, window_start, shard) do update set count = rate_limit_shards.count + 1
    returning count + (
      select coalesce(sum(other.count), 0) from rate_limit_shards as other
      where other.bucket = ${bucket} and other.window_start = ${windowStart}::bigint and other.shard <> ${shard}
    ) as total`.execute(services.db);
  return Number(rows[0]!.total);
}

/**
 * A counter's commit does not wait for the WAL flush (`synchronous_commit = off` for that one statement's
 * transaction: set_config(…, true) lasts until its commit). Every request of a caller, or of an instance,
 * increments the same row, so each waited for the previous one's flush while holding the row lock: ~5 ms per
 * request on these machines, which capped one caller at ~200 API calls/s on PostgreSQL whatever the number of
 * instances (pg_stat_statements: 6.7 ms mean for the upsert under 16 connections). Counts stay exact between
 * live instances (the row lock still orders them, and other sessions see the commit at once); a PostgreSQL
 * crash may forget the last fraction of a second of increments, which lets that many requests more through.
 */
const ASYNC_COMMIT = sql`(select set_config('synchronous_commit', 'off', true)) as async_commit`;
/** Inside a caller's transaction the setting would cover that transaction's commit too: never relax it there. */
const SYNC_COMMIT = sql`(select 1) as sync_commit`;
const commitOf = (services: Services) => (services.db.isTransaction ? SYNC_COMMIT : ASYNC_COMMIT);

function windowOf(services: Services, { windowSeconds }: Limit) {
  const windowMs = windowSeconds * 1000;
  const now = services.clock.now().getTime();
  return { windowMs, now, windowStart: Math.floor(now / windowMs) * windowMs };
}

function tooMany(windowStart: number, windowMs: number, now: number): FoyerError {
  const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
  return new FoyerError('tooManyRequests', `Too many requests. Retry after ${retryAfter} seconds.`, {
    headers: { 'Retry-After': String(retryAfter) },
  });
}

function increment(services: Services, bucket: string, windowStart: number): Promise<number> | number {
  return services.dialect === 'postgres'
    ? countInDatabase(services, bucket, windowStart)
    : countInMemory(services, bucket, windowStart);
}

async function countInDatabase(services: Services, bucket: string, windowStart: number): Promise<number> {
  const { rows } = await sql<{ count: number | string }>`
    insert into rate_limit_counters (bucket, window_start, count)
    select ${bucket}, ${windowStart}::bigint, 1 from ${commitOf(services)}
    on conflict (bucket, window_start) do update set count = rate_limit_counters.count + 1
    returning count`.execute(services.db);
  return Number(rows[0]!.count);
}

/** Per database handle (one per app), one entry per bucket: bounded by the number of tenants and callers. */
const memoryCounters = new WeakMap<object, Map<string, { windowStart: number; count: number }>>();

/** PostgreSQL: the shared counts this instance last saw for the ceilings it charged. */
const observedCounts = new WeakMap<object, Map<string, { windowStart: number; count: number }>>();

function countersOf(store: typeof memoryCounters, services: Services) {
  let counters = store.get(services.db);
  if (!counters) {
    counters = new Map();
    store.set(services.db, counters);
  }
  return counters;
}

const memoryCountersOf = (services: Services) => countersOf(memoryCounters, services);
const observedCountsOf = (services: Services) => countersOf(observedCounts, services);

function countInMemory(services: Services, bucket: string, windowStart: number): number {
  const counters = memoryCountersOf(services);
  const current = counters.get(bucket);
  if (current?.windowStart === windowStart) return ++current.count;
  counters.set(bucket, { windowStart, count: 1 });
  return 1;
}

/** Drops counters of windows long gone; run periodically by the maintenance loop. */
export async function purgeOldCounters(services: Services, olderThanMs = 3_600_000): Promise<void> {
  const cutoff = services.clock.now().getTime() - olderThanMs;
  await services.db.deleteFrom('rate_limit_counters').where('window_start', '<', cutoff).execute();
  await services.db.deleteFrom('rate_limit_shards').where('window_start', '<', cutoff).execute();
}
