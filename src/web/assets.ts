import type { FastifyInstance } from 'fastify';
import { stylesheet } from './styles.js';

/** The pages' stylesheet, an external file so the Content-Security-Policy can forbid inline styles. */
export async function webAssetsPlugin(app: FastifyInstance): Promise<void> {
  app.get('/assets/foyer.css', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(stylesheet),
  );
}
