import type { FastifyInstance } from 'fastify';
import type * as OpenidClient from 'openid-client';
import { cookiesMustBeSecure } from '../app/cookies.js';
import type { Services } from '../app/services.js';
import { issuerOf } from '../platform/issuer.js';
import { loadJose, loadOpenidClient } from '../platform/lazy.js';
import { registerPageErrors } from '../web/errors.js';
import { pageHeaders } from '../web/layout.js';
import { injectFetch } from './inject-fetch.js';
import { demoClaimsPage, demoErrorPage, demoHomePage } from './pages.js';
import { demoRedirectUri, findDemoApp } from './registration.js';

const STATE_COOKIE = 'foyer_demo';

/**
 * /demo: a relying party of the bootstrap tenant, to see the whole flow without writing an app. It is a real
 * openid-client RP; its HTTP calls to the provider go through inject() (the demo lives in the same process), so
 * it works whatever the network between a proxy and this instance allows.
 */
export async function demoPlugin(app: FastifyInstance, { services }: { services: Services }) {
  registerPageErrors(app);
  const base = services.config.baseUrl;
  const viaInject = injectFetch(app);

  let configuration: Promise<OpenidClient.Configuration | undefined> | undefined;
  const client = () => {
    configuration ??= (async () => {
      const oidc = await loadOpenidClient();
      const demo = await findDemoApp(services.db);
      if (!demo) return undefined;
      const config = await oidc.discovery(
        new URL(issuerOf(base, demo.tenantId)),
        demo.clientId,
        undefined,
        oidc.None(),
        {
          [oidc.customFetch]: viaInject,
          execute: base.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
        },
      );
      config[oidc.customFetch] = viaInject;
      return config;
    })().catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };

  const cookie = {
    path: '/demo',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookiesMustBeSecure(services.config),
    signed: true,
  };

  app.get('/demo', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(pageHeaders).send(demoHomePage({ configured: (await client()) !== undefined })),
  );

  app.get('/demo/login', { schema: { hide: true } }, async (_request, reply) => {
    const config = await client();
    if (!config) return reply.redirect('/demo', 303);
    const oidc = await loadOpenidClient();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    reply.setCookie(STATE_COOKIE, JSON.stringify({ verifier, state, nonce }), { ...cookie, maxAge: 600 });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: demoRedirectUri(base),
      scope: `openid profile offline_access ${base}/.default`,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return reply.redirect(url.href, 303);
  });

  app.get('/demo/callback', { schema: { hide: true } }, async (request, reply) => {
    const config = await client();
    const stored = request.cookies[STATE_COOKIE];
    const unsigned = stored ? request.unsignCookie(stored) : undefined;
    if (!config || !unsigned?.valid || !unsigned.value) return reply.redirect('/demo', 303);
    const { verifier, state, nonce } = JSON.parse(unsigned.value) as Record<string, string>;
    reply.clearCookie(STATE_COOKIE, cookie);
    const oidc = await loadOpenidClient();
    const queryAt = request.url.indexOf('?');
    const query = queryAt === -1 ? '' : request.url.slice(queryAt);
    let tokens: Awaited<ReturnType<typeof OpenidClient.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(`${demoRedirectUri(base)}${query}`), {
        pkceCodeVerifier: verifier!,
        expectedState: state!,
        expectedNonce: nonce!,
      });
    } catch (error) {
      // The provider's answer (access_denied after Cancel…) or a failed check (state, nonce, code): a page.
      const reason = error instanceof Error ? error.message : String(error);
      const params = new URLSearchParams(query);
      return reply
        .status(400)
        .headers(pageHeaders)
        .send(demoErrorPage(params.get('error_description') ?? params.get('error') ?? reason));
    }
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${base}/demo`,
    });
    return reply.headers(pageHeaders).send(
      demoClaimsPage({
        idToken: tokens.claims() ?? {},
        accessToken: (await loadJose()).decodeJwt(tokens.access_token),
        logoutUrl: logout.href,
      }),
    );
  });
}
