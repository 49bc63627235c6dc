/** What the bare oidc-provider baselines share: a signing key made at start, and the bench's public client. */
import { generateKeyPairSync } from 'node:crypto';

/** A fresh RSA-2048 key for RS256, as oidc-provider's `jwks` takes it. */
export function signingJwks() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' } as never],
  };
}

export const SPA_CLIENT_ID = 'bench-spa';

/** The public client of the sign-in and refresh baselines: code flow with PKCE, refresh tokens. */
export const spaClient = {
  client_id: SPA_CLIENT_ID,
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['http://127.0.0.1/cb'],
  response_types: ['code'],
};
