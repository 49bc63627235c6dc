import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { createProviderBody, OIDC_TYPE, patchProviderBody, SOCIAL_TYPE } from '../federation/schemas.js';
import {
  createIdentityProvider,
  deleteIdentityProvider,
  readIdentityProvider,
  updateIdentityProvider,
} from '../federation/service.js';
import { takeStash } from '../portal/stash.js';
import { portalDictionaryOf } from '../web/i18n/index.js';
import { field, fieldList, formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { identityProviderPage, identityProvidersPage } from './pages/identity-providers.js';

const hide = { schema: { hide: true } };

/** The OIDC form's fields as Graph's body (empty optional fields left out, so the API's defaults apply). */
function oidcBody(body: Record<string, unknown>) {
  const claims = {
    userId: field(body, 'claimUserId').trim(),
    email: field(body, 'claimEmail').trim(),
    displayName: field(body, 'claimDisplayName').trim(),
  };
  const scope = field(body, 'scope').trim();
  return {
    displayName: field(body, 'displayName').trim(),
    clientId: field(body, 'clientId').trim(),
    metadataUrl: field(body, 'metadataUrl').trim(),
    ...(scope && { scope }),
    responseType: field(body, 'responseType') || 'code',
    claimsMapping: Object.fromEntries(Object.entries(claims).filter(([, v]) => v)),
    domains: fieldList(body, 'domains'),
  };
}

const secretOf = (body: Record<string, unknown>) => {
  const secret = field(body, 'clientSecret');
  return secret ? { clientSecret: secret } : {};
};

/** Identity providers: list, add (OIDC, Google), edit, delete; each through the federation service. */
export async function consoleIdentityProvidersRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const path = '/:tenant/admin/identity-providers';
  app.get(
    path,
    hide,
    consoleRoute(services, 'idps', async (ctx, request, reply) => {
      const values = await takeStash(
        services,
        ctx.tenant.id,
        `${ctx.base}/identity-providers`,
        request.query.restore,
      );
      return reply.send(
        await identityProvidersPage(services, ctx, {
          ...(values && { values, restored: true }),
          deleted: request.query.deleted === '1',
        }),
      );
    }),
  );
  app.post(
    path,
    hide,
    consoleRoute(services, 'idps', async (ctx, request, reply) => {
      const body = request.body ?? {};
      try {
        const parsed = createProviderBody.parse(
          field(body, 'kind') === 'google'
            ? {
                '@odata.type': SOCIAL_TYPE,
                identityProviderType: 'Google',
                displayName: field(body, 'displayName').trim(),
                clientId: field(body, 'clientId').trim(),
                clientSecret: field(body, 'clientSecret'),
              }
            : { '@odata.type': OIDC_TYPE, ...oidcBody(body), clientSecret: field(body, 'clientSecret') },
        );
        const created = await createIdentityProvider(services, ctx.principal, parsed, request.id);
        return reply.redirect(`${ctx.base}/identity-providers/${created.id}`, 303);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await identityProvidersPage(services, ctx, { values: body, error: refused.message }));
      }
    }),
  );
  app.get(
    `${path}/:id`,
    hide,
    consoleRoute(services, 'idps', async (ctx, request, reply) => {
      const id = request.params.id!;
      const values = await takeStash(
        services,
        ctx.tenant.id,
        `${ctx.base}/identity-providers/${id}`,
        request.query.restore,
      );
      return reply.send(
        await identityProviderPage(services, ctx, id, { ...(values && { values, restored: true }) }),
      );
    }),
  );
  app.post(
    `${path}/:id`,
    hide,
    consoleRoute(services, 'idps', async (ctx, request, reply) => {
      const body = request.body ?? {};
      // Another tenant's provider (or none) is the not-found page, before any validation.
      const provider = await readIdentityProvider(services, ctx.principal, request.params.id!);
      try {
        const google = provider['@odata.type'] === SOCIAL_TYPE;
        const changes = patchProviderBody.parse(
          google
            ? {
                displayName: field(body, 'displayName').trim(),
                clientId: field(body, 'clientId').trim(),
                ...secretOf(body),
              }
            : { ...oidcBody(body), ...secretOf(body) },
        );
        await updateIdentityProvider(services, ctx.principal, provider.id, changes, request.id);
        return reply.send(await identityProviderPage(services, ctx, provider.id, { saved: true }));
      } catch (error) {
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(
            await identityProviderPage(services, ctx, provider.id, { values: body, error: refused.message }),
          );
      }
    }),
  );
  app.post(
    `${path}/:id/delete`,
    hide,
    consoleRoute(services, 'idps', async (ctx, request, reply) => {
      const provider = await readIdentityProvider(services, ctx.principal, request.params.id!);
      if (field(request.body, 'confirm') !== 'on') {
        const t = portalDictionaryOf(ctx.lang);
        return reply
          .status(400)
          .send(await identityProviderPage(services, ctx, provider.id, { error: t.deleteIdpConfirm }));
      }
      try {
        await deleteIdentityProvider(services, ctx.principal, provider.id, request.id);
      } catch (error) {
        // Guests still bound to it: the service's 409 says so, and how to free them.
        const refused = formErrorOf(error);
        return reply
          .status(refused.status)
          .send(await identityProviderPage(services, ctx, provider.id, { error: refused.message }));
      }
      return reply.redirect(`${ctx.base}/identity-providers?deleted=1`, 303);
    }),
  );
}
