import type { FastifyInstance } from 'fastify';
import { bulkProgressScript } from './bulk-progress.js';
import { stylesheet } from './styles.js';

/** The pages' stylesheet and scripts, external files so the Content-Security-Policy can forbid inline ones. */
export async function webAssetsPlugin(app: FastifyInstance): Promise<void> {
  app.get('/assets/foyer.css', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(stylesheet),
  );
  // Scripts only enhance pages that work without them (here: live progress of a bulk invitation job).
  app.get('/assets/bulk-progress.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(bulkProgressScript),
  );
}
