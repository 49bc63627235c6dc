import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Services } from '../app/services.js';
import { migrationsApplied } from '../db/migrate.js';

export async function healthPlugin(app: FastifyInstance, { services }: { services: Services }) {
  // Liveness: the process answers. Nothing else, so a slow database never gets the process restarted.
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  // Readiness: the database answers and every migration is applied.
  let migrated = false;
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(services.db);
      migrated ||= await migrationsApplied(services.db);
      if (!migrated) return reply.status(503).send({ status: 'migrations pending' });
      return { status: 'ready' };
    } catch (error) {
      _request.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });
}
