import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Anything a store function can run on: the database, or the caller's transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
