import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import * as client from 'openid-client';
import { injectFetch } from '../../src/demo/inject-fetch.js';
import type { PageClient } from './page-client.js';

/**
 * openid-client as a relying party of a tenant, its HTTP going through inject() (the instance's public
 * address is https://foyer.test in tests, which no socket serves).
 */
export async function relyingParty(
  app: FastifyInstance,
  options: { tenant: string; clientId: string; clientSecret?: string },
) {
  const fetchThroughInject = injectFetch(app);

  const auth = options.clientSecret ? client.ClientSecretPost(options.clientSecret) : client.None();
  const config = await client.discovery(
    new URL(`https://foyer.test/${options.tenant}/v2.0`),
    options.clientId,
    undefined,
    auth,
    { [client.customFetch]: fetchThroughInject, execute: [] },
  );
  config[client.customFetch] = fetchThroughInject;
  return config;
}

/** Starts an authorization (code + PKCE S256, state, nonce) and returns what the callback needs. */
export async function startAuthorization(
  config: client.Configuration,
  input: { redirectUri: string; scope: string; extra?: Record<string, string> },
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: input.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...input.extra,
  });
  return { url, verifier, state, nonce };
}

/** Follows redirects within Foyer (same origin) until a page answers or the browser leaves for `stopAt`. */
export async function follow(browser: PageClient, response: LightMyRequestResponse, stopAt: string) {
  let current = response;
  for (let hops = 0; hops < 10 && current.statusCode >= 300 && current.statusCode < 400; hops++) {
    const location = String(current.headers.location);
    if (location.startsWith(stopAt)) return current;
    const next = new URL(location, 'https://foyer.test');
    current = await browser.get(`${next.pathname}${next.search}`);
  }
  return current;
}

export async function finishAuthorization(
  config: client.Configuration,
  callback: string,
  started: { verifier: string; state: string; nonce: string },
) {
  return client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
  });
}

/**
 * Opens an app's authorization request (code + PKCE) in `browser` and follows Foyer's redirects to where it lands:
 * the sign-in page, or the app's redirect URI when the browser's session answers at once.
 */
export async function openAuthorization(
  app: FastifyInstance,
  browser: PageClient,
  input: {
    tenant: string;
    clientId: string;
    redirectUri: string;
    scope: string;
    extra?: Record<string, string>;
  },
) {
  const rp = await relyingParty(app, { tenant: input.tenant, clientId: input.clientId });
  const started = await startAuthorization(rp, input);
  const page = await follow(
    browser,
    await browser.get(started.url.pathname + started.url.search),
    input.redirectUri,
  );
  return { rp, started, page };
}

/** Signs in on a sign-in page with an address and its password, and follows the redirects back to the app. */
export async function submitPassword(
  browser: PageClient,
  page: LightMyRequestResponse,
  input: { email: string; password: string; redirectUri: string },
) {
  const passwordPage = await browser.submit(page, '/identify', { email: input.email });
  return follow(
    browser,
    await browser.submit(passwordPage, '/password', { password: input.password }),
    input.redirectUri,
  );
}
