import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { takeStash } from '../portal/stash.js';
import { portalDictionaryOf } from '../web/i18n/index.js';
import { endpointBody, endpointPatchBody } from '../webhooks/schemas.js';
import {
  createEndpoint,
  getWebhookEndpoint,
  patchWebhookEndpoint,
  removeWebhookEndpoint,
} from '../webhooks/service.js';
import { field, fieldList, formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { webhookPage, webhooksPage } from './pages/webhooks.js';

const hide = { schema: { hide: true } };

/** The form's fields as the API's body: the same zod contract as POST/PATCH /v1.0/webhooks. */
const formEndpoint = (body: Record<string, unknown>) => ({
  url: field(body, 'url').trim(),
  events: fieldList(body, 'events'),
  description: field(body, 'description').trim() || null,
});

/** Webhooks: endpoints, a signing secret shown once, editing, deletion and the delivery log (src/webhooks). */
export async function consoleWebhooksRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get(
    '/:tenant/admin/webhooks',
    hide,
    consoleRoute(services, 'webhooks', async (ctx, request, reply) => {
      const values = await takeStash(services, ctx.tenant.id, `${ctx.base}/webhooks`, request.query.restore);
      return reply.send(
        await webhooksPage(services, ctx, {
          ...(values && { values, restored: true }),
          deleted: request.query.deleted === '1',
        }),
      );
    }),
  );
  app.post(
    '/:tenant/admin/webhooks',
    hide,
    consoleRoute(services, 'webhooks', async (ctx, request, reply) => {
      const body = request.body ?? {};
      try {
        const created = await createEndpoint(
          services,
          ctx.principal,
          endpointBody.parse(formEndpoint(body)),
          request.id,
        );
        // The secret is in this one answer (no-store) and nowhere else: it is stored encrypted, never shown.
        return reply.status(201).send(await webhooksPage(services, ctx, { created }));
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await webhooksPage(services, ctx, { values: body, error: refused.message }));
      }
    }),
  );
  app.get(
    '/:tenant/admin/webhooks/:id',
    hide,
    consoleRoute(services, 'webhooks', async (ctx, request, reply) => {
      const id = request.params.id!;
      const values = await takeStash(
        services,
        ctx.tenant.id,
        `${ctx.base}/webhooks/${id}`,
        request.query.restore,
      );
      return reply.send(await webhookPage(services, ctx, id, { ...(values && { values, restored: true }) }));
    }),
  );
  app.post(
    '/:tenant/admin/webhooks/:id',
    hide,
    consoleRoute(services, 'webhooks', async (ctx, request, reply) => {
      const id = request.params.id!;
      const body = request.body ?? {};
      // An endpoint of another tenant (or none) is the not-found page before any validation.
      await getWebhookEndpoint(services, ctx.principal, id);
      try {
        await patchWebhookEndpoint(
          services,
          ctx.principal,
          id,
          endpointPatchBody.parse({ ...formEndpoint(body), enabled: field(body, 'enabled') === 'on' }),
          request.id,
        );
        return reply.send(await webhookPage(services, ctx, id, { saved: true }));
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await webhookPage(services, ctx, id, { values: body, error: refused.message }));
      }
    }),
  );
  app.post(
    '/:tenant/admin/webhooks/:id/delete',
    hide,
    consoleRoute(services, 'webhooks', async (ctx, request, reply) => {
      const id = request.params.id!;
      await getWebhookEndpoint(services, ctx.principal, id);
      if (field(request.body, 'confirm') !== 'on') {
        const t = portalDictionaryOf(ctx.lang);
        return reply
          .status(400)
          .send(await webhookPage(services, ctx, id, { error: t.deleteWebhookConfirm }));
      }
      await removeWebhookEndpoint(services, ctx.principal, id, request.id);
      return reply.redirect(`${ctx.base}/webhooks?deleted=1`, 303);
    }),
  );
}
