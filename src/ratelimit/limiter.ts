import { sql } from 'kysely';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';

export interface Limit {
  limit: number;
  windowSeconds: number;
}

/**
 * Fixed-window rate limiting with the counter in the database, so a limit holds across every instance on the
 * same database (PRODUCT §3). One upsert per request: INSERT … ON CONFLICT DO UPDATE … RETURNING count.
 * A limit of 0 turns limiting off.
 */
export async function consume(
  services: Services,
  bucket: string,
  { limit, windowSeconds }: Limit,
): Promise<void> {
  if (limit <= 0) return;
  const windowMs = windowSeconds * 1000;
  const now = services.clock.now().getTime();
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const row = await services.db
    .insertInto('rate_limit_counters')
    .values({ bucket, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['bucket', 'window_start'])
        .doUpdateSet({ count: sql<number>`rate_limit_counters.count + 1` }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  if (Number(row.count) > limit) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    throw new FoyerError('tooManyRequests', `Too many requests. Retry after ${retryAfter} seconds.`, {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }
}

/** Drops counters of windows long gone; run periodically by the maintenance loop. */
export async function purgeOldCounters(services: Services, olderThanMs = 3_600_000): Promise<void> {
  const cutoff = services.clock.now().getTime() - olderThanMs;
  await services.db.deleteFrom('rate_limit_counters').where('window_start', '<', cutoff).execute();
}
