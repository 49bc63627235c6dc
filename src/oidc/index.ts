import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { consume } from '../ratelimit/limiter.js';
import { limitSignIns } from '../web/limits.js';
import { tokenBucket } from './direct.js';
import { publicOriginOf, toProviderRequest } from './provider-request.js';
import { loadOidcProvider, type OidcProviders } from './providers.js';

export { serveTokenEndpointDirectly } from './direct.js';
export { type Rotation, rotateSigningKeys, signingKeysProblem } from './keys.js';
export { purgeExpiredOidcArtefacts } from './maintenance.js';
export { OidcProviders } from './providers.js';

/**
 * The OpenID Connect endpoints, Entra's v2.0 layout, a tenant addressed by id, slug or verified domain:
 *   {base}/{tenant}/v2.0/.well-known/openid-configuration      {base}/{tenant}/discovery/v2.0/keys
 *   {base}/{tenant}/oauth2/v2.0/authorize | token | logout     {base}/{tenant}/oidc/userinfo
 * Fastify owns routing and the unknown-tenant 404 (Graph envelope); each request is then handed, raw, to the
 * tenant's oidc-provider, which owns the protocol and its errors ({error, error_description}).
 */

interface OidcRoute {
  url: string;
  method: HTTPMethods[];
  /** Requests that authenticate nobody yet, limited per client address: browser pages, or the token endpoint. */
  limit?: 'signIn' | 'token';
  /** The provider-internal path, when it is not simply the public path without its tenant segment. */
  internalPath?: string;
}

const JWKS_URL = '/:tenant/discovery/v2.0/keys';

const routes: OidcRoute[] = [
  {
    url: '/:tenant/v2.0/.well-known/openid-configuration',
    method: ['GET', 'OPTIONS'],
    internalPath: '/.well-known/openid-configuration',
  },
  { url: JWKS_URL, method: ['GET', 'OPTIONS'] },
  { url: '/:tenant/oauth2/v2.0/authorize', method: ['GET', 'POST'], limit: 'signIn' },
  { url: '/:tenant/oauth2/v2.0/authorize/:uid', method: ['GET', 'POST'], limit: 'signIn' },
  { url: '/:tenant/oauth2/v2.0/token', method: ['POST', 'OPTIONS'], limit: 'token' },
  { url: '/:tenant/oauth2/v2.0/logout', method: ['GET', 'POST'], limit: 'signIn' },
  { url: '/:tenant/oauth2/v2.0/logout/confirm', method: ['POST'], limit: 'signIn' },
  { url: '/:tenant/oauth2/v2.0/logout/success', method: ['GET'] },
  { url: '/:tenant/oidc/userinfo', method: ['GET', 'POST', 'OPTIONS'] },
];

export async function oidcPlugin(
  app: FastifyInstance,
  options: { services: Services; providers: OidcProviders },
): Promise<void> {
  const { services, providers } = options;
  // Load oidc-provider right after the server starts listening, not before: readiness does not wait for it.
  app.addHook('onListen', async () => {
    void loadOidcProvider();
  });

  // oidc-provider reads and limits request bodies itself: in this (encapsulated) plugin, Fastify leaves the
  // stream untouched instead of parsing it, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  const origin = publicOriginOf(services.config.baseUrl);

  async function handOff(route: OidcRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (route.limit === 'signIn' && (await limitSignIns(services, request, reply))) return;
    if (route.limit === 'token')
      await consume(
        services,
        tokenBucket(request.headers.authorization, request.ip),
        services.config.rateLimits.tokenPerAddress,
      );
    const { tenant: ref } = request.params as { tenant: string };
    const tenantId = await providers.resolveTenant(ref);
    if (!tenantId) throw new FoyerError('notFound', `Tenant '${ref}' not found.`);
    const { handle } = await providers.get(tenantId);

    const raw = request.raw;
    toProviderRequest(raw, { origin, tenantId, ip: request.ip, internalPath: route.internalPath });

    // Headers set by earlier hooks (request-id, client-request-id) must survive the hand-off.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string | number | string[]);
    }
    if (route.url === JWKS_URL) {
      // Relying parties that honour HTTP caching refresh the key set well inside a rotation's grace period, so
      // the new key is in their cache before it signs anything (src/oidc/keys.ts).
      const maxAge = Math.min(300, Math.floor(services.config.keyRotationGraceSeconds / 2));
      reply.raw.setHeader('cache-control', `public, max-age=${maxAge}`);
    }
    reply.hijack();
    await handle(raw, reply.raw);
  }

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      schema: { hide: true },
      handler: (request, reply) => handOff(route, request, reply),
    });
  }
}
