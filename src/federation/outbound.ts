import type * as OpenidClient from 'openid-client';
import type { ResolvedConfig } from '../app/services.js';
import { loadOpenidClient } from '../platform/lazy.js';
import { internalHostReason } from '../platform/public-address.js';

/**
 * Every request Foyer makes to an identity provider (discovery, token, JWKS, userinfo) goes through here. In
 * production an administrator-supplied URL must not turn Foyer into a proxy toward its own network (request
 * forgery): https only, and a host that resolves to no private, loopback, link-local or otherwise internal address.
 * Checked before each request, so metadata naming an internal token endpoint is refused too. Outside production
 * (tests, development) plain http and loopback are allowed: that is how a local provider plays the IdP.
 */

export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
}

/** Throws OutboundRefused when production may not call this URL. */
export async function assertCallable(config: Pick<ResolvedConfig, 'env'>, url: URL): Promise<void> {
  if (config.env !== 'production') return;
  if (url.protocol !== 'https:') throw new OutboundRefused(`${url.origin} does not use https`);
  const refused = await internalHostReason(url.hostname);
  if (refused) throw new OutboundRefused(refused);
}

/** Seconds before a provider that does not answer counts as down. */
export const IDP_TIMEOUT_SECONDS = 10;

/** openid-client's options for talking to providers under this instance's rules. */
export async function outboundOptions(config: Pick<ResolvedConfig, 'env'>) {
  const client = await loadOpenidClient();
  const guardedFetch: OpenidClient.CustomFetch = async (url, options) => {
    await assertCallable(config, new URL(url));
    return fetch(url, options as RequestInit);
  };
  return {
    [client.customFetch]: guardedFetch,
    timeout: IDP_TIMEOUT_SECONDS,
    ...(config.env !== 'production' && { execute: [client.allowInsecureRequests] }),
  };
}
