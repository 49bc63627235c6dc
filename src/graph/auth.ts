import type { FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { createTokenVerifier } from '../oidc/verify.js';
import type { Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * The directory API's guard: a valid bearer token issued by this instance for the directory API.
 * The tenant is the token's `tid` — never a URL segment — so a token can only ever reach its own tenant.
 */
export function createAuthHook(services: Services) {
  const verifier = createTokenVerifier(services);
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) throw new FoyerError('unauthenticated', 'Access token is empty.');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new FoyerError('unauthenticated', 'Authorization header must be "Bearer <access token>".');
    const claims = await verifier.verify(match[1]!);
    request.principal = {
      tenantId: claims.tenantId,
      kind: claims.kind,
      objectId: claims.objectId,
      appId: claims.appId,
      permissions: claims.kind === 'app' ? claims.roles : claims.scopes,
      directoryRoles: claims.kind === 'user' ? claims.roles : [],
      displayName: typeof claims.raw.app_displayname === 'string' ? claims.raw.app_displayname : null,
      ipAddress: request.ip,
    };
  };
}
