import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Services } from '../app/services.js';
import { migrationsApplied } from '../db/migrate.js';
import { signingKeysProblem } from '../oidc/keys.js';

export async function healthPlugin(app: FastifyInstance, { services }: { services: Services }) {
  // Liveness: the process answers. Nothing else, so a slow database never gets the process restarted.
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  // Readiness: the database answers, every migration is applied, and FOYER_SECRET decrypts the signing keys
  // (a changed secret would otherwise be "ready" and then fail every token request). Checked until it passes.
  let migrated = false;
  let keysReadable = false;
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(services.db);
      migrated ||= await migrationsApplied(services.db);
      if (!migrated) return reply.status(503).send({ status: 'migrations pending' });
      if (!keysReadable) {
        const problem = await signingKeysProblem(services);
        if (problem) return reply.status(503).send({ status: 'signing keys unreadable', reason: problem });
        keysReadable = true;
      }
      return { status: 'ready' };
    } catch (error) {
      _request.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });
}
