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
