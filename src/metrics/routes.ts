import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';

/** Request counts and latencies by route template (never the raw URL: ids would explode cardinality). */
export async function metricsPlugin(app: FastifyInstance, { services }: { services: Services }) {
  const { metrics } = services;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
// The onResponse hook must see every route, not only this plugin's own: share the parent's context
// (Fastify's documented alternative to fastify-plugin, https://fastify.dev/docs/latest/Reference/Plugins/).
Object.assign(metricsPlugin, { [Symbol.for('skip-override')]: true });
