import type { JWTPayload } from 'jose';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';

export interface AccessTokenClaims {
  tenantId: string;
  objectId: string;
  appId: string;
  kind: 'app' | 'user';
  roles: string[];
  scopes: string[];
  raw: JWTPayload;
}

// Placeholder (being replaced by the OIDC work): rejects every token.
export function createTokenVerifier(_services: Services): {
  verify(bearer: string): Promise<AccessTokenClaims>;
} {
  return {
    async verify() {
      throw new FoyerError('unauthenticated', 'Token verification is not available yet.');
    },
  };
}
