import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { deliveriesQuery, endpointBody, endpointParams, endpointPatchBody } from './schemas.js';
import {
  createEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  patchWebhookEndpoint,
  removeWebhookEndpoint,
  webhookDeliveries,
} from './service.js';

/** Webhook endpoints and their delivery logs (a Foyer extension under /v1.0, PRODUCT §4.2). */
export async function webhookRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];
  app.post('/webhooks', { schema: { tags, body: endpointBody } }, async (request, reply) =>
    reply.status(201).send(await createEndpoint(services, request.principal, request.body, request.id)),
  );
  app.get('/webhooks', { schema: { tags } }, async (request) =>
    listWebhookEndpoints(services, request.principal),
  );
  app.get('/webhooks/:id', { schema: { tags, params: endpointParams } }, async (request) =>
    getWebhookEndpoint(services, request.principal, request.params.id),
  );
  app.patch(
    '/webhooks/:id',
    { schema: { tags, params: endpointParams, body: endpointPatchBody } },
    async (request) =>
      patchWebhookEndpoint(services, request.principal, request.params.id, request.body, request.id),
  );
  app.delete('/webhooks/:id', { schema: { tags, params: endpointParams } }, async (request, reply) => {
    await removeWebhookEndpoint(services, request.principal, request.params.id, request.id);
    return reply.status(204).send();
  });
  app.get(
    '/webhooks/:id/deliveries',
    { schema: { tags, params: endpointParams, querystring: deliveriesQuery } },
    async (request) => webhookDeliveries(services, request.principal, request.params.id, request.query.$top),
  );
}
