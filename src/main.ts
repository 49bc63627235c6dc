import 'dotenv/config';
import { resolveSecret } from './app/secret.js';
import { buildApp } from './app.js';
import { bootstrapInstance, writeBootstrapFile } from './bootstrap/index.js';
import { printWelcome } from './bootstrap/welcome.js';
import { ConfigError, loadConfig } from './config/index.js';
import { connectDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { DatabaseUnavailableError, explainDatabaseError } from './db/unavailable.js';
import { type BackgroundJobs, startBackgroundJobs } from './jobs/index.js';
import { signingKeysProblem } from './oidc/index.js';

/**
 * `--production` (npm run start:prod) makes production explicit on the command line; a FOYER_ENV that says
 * otherwise is a contradiction, refused rather than guessed.
 */
function environment(): Record<string, string | undefined> {
  if (!process.argv.includes('--production')) return process.env;
  const declared = process.env.FOYER_ENV;
  if (declared && declared !== 'production') {
    throw new ConfigError(`Invalid configuration:\n  FOYER_ENV: '${declared}' contradicts --production`);
  }
  return { ...process.env, FOYER_ENV: 'production' };
}

async function main() {
  const { config, generated: secretGenerated } = await resolveSecret(loadConfig(environment()));
  const database = await connectDatabase(config.database.url).catch((error: unknown) => {
    throw explainDatabaseError(error, config.database.url);
  });
  await migrateToLatest(database.db, database.schema).catch((error: unknown) => {
    throw explainDatabaseError(error, config.database.url);
  });
  const app = await buildApp({ config, database });
  const keysProblem = await signingKeysProblem(app.services);
  if (keysProblem) {
    await app.close();
    await database.close();
    throw new ConfigError(`Foyer cannot start: ${keysProblem}`);
  }
  if (config.env !== 'production') {
    app.log.warn(
      `Foyer runs in ${config.env} mode: generated secrets, the dev mailbox and http:// are allowed. Run production with FOYER_ENV=production (npm run start:prod).`,
    );
  }
  if (secretGenerated) {
    app.log.warn(
      `FOYER_SECRET is not set: generated a development secret in ${config.dataDir}/secret. Set FOYER_SECRET in production.`,
    );
  }

  const bootstrap = await bootstrapInstance(app.services);
  // Always kept when a bootstrap happened: the operator token is generated even when every FOYER_BOOTSTRAP_*
  // value is set, and stdout is not where production keeps it.
  const bootstrapFile = bootstrap ? await writeBootstrapFile(config, bootstrap) : undefined;

  // Started once the server listens: their first polls (claims, the first random id's entropy) stay off the way to
  // /readyz, and an instance that cannot listen never starts delivering.
  let jobs: BackgroundJobs | undefined;

  let closing = false;
  const shutdown = async (signal: string) => {
    // A repeated signal changes nothing: under `npm start`, Ctrl-C reaches Foyer twice (from the terminal and
    // forwarded by npm), and the timer below bounds the wait anyway.
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Whatever hangs (a slow client, an SMTP send), the process is gone well within 10 s of the signal.
    const timer = setTimeout(() => process.exit(1), 8_000).unref();
    await app.close();
    await jobs?.stop();
    await database.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (!closing) jobs = startBackgroundJobs(app.services, app.log);
  printWelcome(config, bootstrap, bootstrapFile);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseUnavailableError) {
    console.error(error.message);
  } else {
    console.error('Foyer failed to start:', error instanceof Error ? error.message : error);
    if (error instanceof Error && error.stack) console.error(error.stack);
  }
  process.exit(1);
});
