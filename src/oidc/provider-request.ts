import type { IncomingMessage } from 'node:http';

/** Where Foyer is reached from outside (FOYER_BASE_URL), parsed once by each caller. */
export interface PublicOrigin {
  /** The base URL's path without a trailing slash ('' at the root). */
  basePath: string;
  /** 'https' or 'http'. */
  proto: string;
  host: string;
}

export function publicOriginOf(baseUrl: string): PublicOrigin {
  const url = new URL(baseUrl);
  return { basePath: url.pathname.replace(/\/+$/, ''), proto: url.protocol.slice(0, -1), host: url.host };
}

/**
 * Rewrites a raw request for the tenant's oidc-provider, the one place both hand-offs (the Fastify route of
 * src/oidc/index.ts and the direct token path of src/oidc/direct.ts) do it:
 * - `url` becomes the provider-internal path (its query kept);
 * - `originalUrl` is what oidc-provider derives its mount path from (originalUrl minus url,
 *   helpers/oidc_context.js#urlFor), so every URL it builds is `{base}/{tenantId}/…`, even when the request used
 *   the tenant's slug or domain;
 * - scheme and host come from FOYER_BASE_URL, never from the request's Host header (a TLS-terminating proxy talks
 *   plain HTTP to us), and the client address is the one Foyer computed (`ip`), so `provider.proxy = true` trusts
 *   only what Foyer set.
 */
export function toProviderRequest(
  raw: IncomingMessage,
  options: { origin: PublicOrigin; tenantId: string; ip: string; internalPath?: string },
): void {
  const url = raw.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  raw.url = (options.internalPath ?? path.slice(path.indexOf('/', 1))) + query;
  (raw as IncomingMessage & { originalUrl: string }).originalUrl =
    `${options.origin.basePath}/${options.tenantId}${raw.url}`;
  raw.headers['x-forwarded-proto'] = options.origin.proto;
  raw.headers['x-forwarded-host'] = options.origin.host;
  raw.headers['x-forwarded-for'] = options.ip;
}
