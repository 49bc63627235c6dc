import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import * as client from 'openid-client';
import type { ResolvedConfig } from '../app/services.js';

/**
 * Every request Foyer makes to an identity provider (discovery, token, JWKS, userinfo) goes through here. In
 * production an administrator-supplied URL must not turn Foyer into a proxy toward its own network (request
 * forgery): https only, and a host that resolves to no private, loopback, link-local or otherwise internal address.
 * Checked before each request, so metadata naming an internal token endpoint is refused too. Outside production
 * (tests, development) plain http and loopback are allowed: that is how a local provider plays the IdP.
 */

const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is one a production instance must never call on an administrator's behalf. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return internal.check(address, 'ipv4');
  if (family !== 6) return true;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address underneath.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return mapped ? internal.check(mapped, 'ipv4') : internal.check(address, 'ipv6');
}

export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
}

/** Throws OutboundRefused when production may not call this URL. */
export async function assertCallable(config: Pick<ResolvedConfig, 'env'>, url: URL): Promise<void> {
  if (config.env !== 'production') return;
  if (url.protocol !== 'https:') throw new OutboundRefused(`${url.origin} does not use https`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true, verbatim: true }).then(
        (found) => found.map((entry) => entry.address),
        () => {
          throw new OutboundRefused(`${host} does not resolve`);
        },
      );
  if (addresses.length === 0 || addresses.some(isInternalAddress)) {
    throw new OutboundRefused(`${host} resolves to a private or loopback address`);
  }
}

/** Seconds before a provider that does not answer counts as down. */
export const IDP_TIMEOUT_SECONDS = 10;

/** openid-client's options for talking to providers under this instance's rules. */
export function outboundOptions(config: Pick<ResolvedConfig, 'env'>) {
  const guardedFetch: client.CustomFetch = async (url, options) => {
    await assertCallable(config, new URL(url));
    return fetch(url, options as RequestInit);
  };
  return {
    [client.customFetch]: guardedFetch,
    timeout: IDP_TIMEOUT_SECONDS,
    ...(config.env !== 'production' && { execute: [client.allowInsecureRequests] }),
  };
}
