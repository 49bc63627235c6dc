import type { FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import type { Principal } from '../auth/principal.js';
import { principalFromClaims } from '../auth/resolve.js';
import { FoyerError } from '../errors/catalogue.js';
import { type AccessTokenClaims, createTokenVerifier } from '../oidc/verify.js';

const VERIFIED_CACHE_SIZE = 10_000;

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
  // Clients reuse one token for its whole lifetime, so remember what a token proved until it expires: the
  // signature check (RSA) is the costliest step of an API call. Keyed by the token itself; bounded.
  const verified = new Map<string, AccessTokenClaims>();
  const verify = async (token: string): Promise<AccessTokenClaims> => {
    const cached = verified.get(token);
    const exp = cached?.raw.exp;
    if (cached && exp !== undefined && exp * 1000 > services.clock.now().getTime()) return cached;
    const claims = await verifier.verify(token);
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
    verified.set(token, claims);
    return claims;
  };
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) throw new FoyerError('unauthenticated', 'Access token is empty.');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new FoyerError('unauthenticated', 'Authorization header must be "Bearer <access token>".');
    const claims = await verify(match[1]!);
    // Who the caller is now (an app still granted, a user still enabled, their roles): from the directory.
    request.principal = await principalFromClaims(services, claims, request.ip);
  };
}
