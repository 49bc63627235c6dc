import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { Metrics } from '../metrics/registry.js';
import type { Clock } from '../platform/clock.js';
import type { Ids } from '../platform/ids.js';

/** A config whose secret has been resolved (main.ts generates one in development). */
export type ResolvedConfig = Readonly<Config & { secret: string }>;

/**
 * Everything a concept needs from the outside world, built once in buildApp and passed explicitly to each
 * plugin. Tests build their own (temp database, fixed clock, mail catcher).
 */
export interface Services {
  config: ResolvedConfig;
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  ids: Ids;
  metrics: Metrics;
}
