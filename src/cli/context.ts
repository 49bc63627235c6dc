import 'dotenv/config';
import { resolveSecret } from '../app/secret.js';
import type { Services } from '../app/services.js';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { connectDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { explainDatabaseError } from '../db/unavailable.js';

/**
 * The CLI works on the same database and config as the server, through the same services (so every change
 * it makes is validated and audited exactly as over HTTP). It never listens on a port.
 */
export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  const { config } = await resolveSecret(loadConfig(process.env));
  const database = await connectDatabase(config.database.url).catch((error: unknown) => {
    throw explainDatabaseError(error, config.database.url);
  });
  try {
    await migrateToLatest(database.db, database.schema).catch((error: unknown) => {
      throw explainDatabaseError(error, config.database.url);
    });
    const app = await buildApp({ config, database, logger: false });
    try {
      return await run(app.services);
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}
