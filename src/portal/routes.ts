import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cookiesMustBeSecure } from '../app/cookies.js';
import type { Services } from '../app/services.js';
import { loadOpenidClient } from '../platform/lazy.js';
import { assertCsrf } from '../web/csrf.js';
import { registerPageErrors } from '../web/errors.js';
import { pageHeaders } from '../web/layout.js';
import { portalClients, portalRedirectUri, portalSignedOutUri } from './client.js';
import { resolveTenant } from './context.js';
import { signedOutPage } from './pages.js';
import { endPortalSession, startPortalSession } from './session.js';

const STATE_COOKIE = 'foyer_portal_state';

type TenantRequest = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, string> }>;

/**
 * Sign-in and sign-out of the console and My Apps: an authorization code + PKCE round trip to the tenant's own
 * provider (openid-client), then a portal session. Where to go afterwards is a path of this tenant's console or
 * My Apps only (never an open redirect).
 */
export async function portalAuthPlugin(app: FastifyInstance, { services }: { services: Services }) {
  registerPageErrors(app);
  await app.register(formbody);
  const base = services.config.baseUrl;
  const clientOf = portalClients(app, services);
  const cookie = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookiesMustBeSecure(services.config),
    signed: true,
  };
  const safeReturn = (tenantId: string, value: unknown) =>
    typeof value === 'string' &&
    /^\/[0-9a-f-]{36}\/(admin|myapps)(\/|\?|$)/.test(value) &&
    value.startsWith(`/${tenantId}/`)
      ? value
      : `/${tenantId}/myapps`;

  app.get('/:tenant/portal/login', { schema: { hide: true } }, async (request: TenantRequest, reply) => {
    const tenant = await resolveTenant(services, request.params.tenant);
    const config = await clientOf(tenant.id);
    const oidc = await loadOpenidClient();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const returnTo = safeReturn(tenant.id, request.query.return);
    reply.setCookie(STATE_COOKIE, JSON.stringify({ verifier, state, nonce, returnTo, tenantId: tenant.id }), {
      ...cookie,
      maxAge: 1800,
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: portalRedirectUri(base, tenant.id),
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(typeof request.query.ui_locales === 'string' && { ui_locales: request.query.ui_locales }),
    });
    return reply.redirect(url.href, 303);
  });

  app.get('/:tenant/portal/callback', { schema: { hide: true } }, async (request: TenantRequest, reply) => {
    const tenant = await resolveTenant(services, request.params.tenant);
    const stored = request.cookies[STATE_COOKIE];
    const unsigned = stored ? request.unsignCookie(stored) : undefined;
    if (!unsigned?.valid || !unsigned.value) return reply.redirect(`/${tenant.id}/myapps`, 303);
    const saved = JSON.parse(unsigned.value) as Record<string, string>;
    if (saved.tenantId !== tenant.id) return reply.redirect(`/${tenant.id}/myapps`, 303);
    reply.clearCookie(STATE_COOKIE, cookie);
    const config = await clientOf(tenant.id);
    const oidc = await loadOpenidClient();
    const queryAt = request.url.indexOf('?');
    const query = queryAt === -1 ? '' : request.url.slice(queryAt);
    const tokens = await oidc
      .authorizationCodeGrant(config, new URL(`${portalRedirectUri(base, tenant.id)}${query}`), {
        pkceCodeVerifier: saved.verifier!,
        expectedState: saved.state!,
        expectedNonce: saved.nonce!,
      })
      .catch(() => undefined);
    const claims = tokens?.claims();
    if (!tokens || !claims || claims.tid !== tenant.id || typeof claims.oid !== 'string') {
      // Cancelled or failed: back to the start, which offers to sign in again.
      return reply
        .status(400)
        .headers(pageHeaders)
        .send(signedOutPage(request, tenant, true));
    }
    await startPortalSession(services, request, reply, {
      tenantId: tenant.id,
      userId: claims.oid,
      idToken: tokens.id_token ?? '',
    });
    return reply.redirect(safeReturn(tenant.id, saved.returnTo), 303);
  });

  app.post('/:tenant/portal/logout', { schema: { hide: true } }, async (request: TenantRequest, reply) => {
    const tenant = await resolveTenant(services, request.params.tenant);
    assertCsrf(services, request, (request.body as Record<string, unknown> | undefined)?.csrf);
    const idToken = await endPortalSession(services, request, tenant.id);
    const config = await clientOf(tenant.id);
    const oidc = await loadOpenidClient();
    // Signing out of the console signs the browser out of Foyer too (RP-initiated logout), as an app does.
    const url = oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: portalSignedOutUri(base, tenant.id),
      ...(idToken && { id_token_hint: idToken }),
    });
    return reply.redirect(url.href, 303);
  });

  app.get('/:tenant/portal/signed-out', { schema: { hide: true } }, async (request: TenantRequest, reply) => {
    const tenant = await resolveTenant(services, request.params.tenant);
    return reply.headers(pageHeaders).send(signedOutPage(request, tenant, false));
  });
}
