import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopbackRequest } from '../app/loopback.js';
import type { Services } from '../app/services.js';
import { outboxBacklog } from '../mail/outbox-store.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * /metrics tells how busy the instance is and how its mail and jobs fare: not for the world. It answers clients
 * on this machine (a scraper beside Foyer), and anyone presenting FOYER_METRICS_TOKEN as a bearer token.
 */
function mayScrape(request: FastifyRequest, token: string | undefined): boolean {
  if (isLoopbackRequest(request)) return true;
  const header = request.headers.authorization;
  if (!token || !header?.startsWith('Bearer ')) return false;
  // Compared as digests: equal length, constant time.
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

/** Request counts and latencies by route template (never the raw URL: ids would explode cardinality). */
export async function metricsPlugin(app: FastifyInstance, { services }: { services: Services }) {
  const { metrics } = services;
  // Callback-style: it runs after every response, and an async hook costs a promise and a tick each time.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    metrics.httpRequests.inc({ method: request.method, route, status: String(status) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (status === 429) metrics.throttled.inc({ route });
    // Refused before anything was created (policy, validation, throttling): no event says so, the answer does.
    if (request.method === 'POST' && route === '/v1.0/invitations' && status >= 400 && status < 500) {
      metrics.invitations.inc({ outcome: status === 429 ? 'throttled' : 'refused' });
    }
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!mayScrape(request, services.config.metricsToken)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="foyer-metrics"')
        .send({ error: 'metrics are served to this machine, or with the FOYER_METRICS_TOKEN bearer token' });
    }
    await refreshOutboxGauges(services);
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
// The onResponse hook must see every route, not only this plugin's own: share the parent's context
// (Fastify's documented alternative to fastify-plugin, https://fastify.dev/docs/latest/Reference/Plugins/).
Object.assign(metricsPlugin, { [Symbol.for('skip-override')]: true });

/** The outbox as every instance shares it, read at scrape time (one query on the status index). */
async function refreshOutboxGauges(services: Services): Promise<void> {
  const { metrics } = services;
  const { counts, oldestWaiting } = await outboxBacklog(services.db);
  for (const [status, count] of Object.entries(counts)) metrics.outboxMails.set({ status }, count);
  metrics.outboxDepth.set(counts.pending + counts.sending);
  const age = oldestWaiting ? (services.clock.now().getTime() - oldestWaiting.getTime()) / 1000 : 0;
  metrics.outboxOldestAge.set(Math.max(0, age));
}
