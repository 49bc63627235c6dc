import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { loadOpenidClient } from '../platform/lazy.js';
import type { HomeIdentity } from '../sessions/identity.js';
import type { TenantRow } from '../tenants/store.js';
import { cookieOptions } from '../web/cookies.js';
import { callbackUrlOf, keepProviderKeys, relyingPartyOf } from './provider-client.js';
import type { ClaimsMapping } from './schemas.js';
import { type FederationContext, type PendingFederation, STATE_SECONDS, saveState } from './states.js';
import type { IdentityProviderRow } from './store.js';

/**
 * The relying-party half of federation (issue 9), with openid-client: authorization code + PKCE (S256) + state +
 * nonce toward the tenant's provider. The browser carries the state in a cookie as well as in the URL, so a
 * callback only completes in the browser that started it.
 */
export const FEDERATION_COOKIE = 'foyer_federation';

/** An IdP that is down, refuses, or answers something that does not verify: one clear page, never a 500. */
export function federationFailed(
  request: FastifyRequest,
  tenant: TenantRow,
  provider: IdentityProviderRow,
  cause: unknown,
): FoyerError {
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  request.log.warn({ identityProvider: provider.id, reason }, 'federated sign-in failed');
  return new FoyerError('federationFailed', `The identity provider did not complete the sign-in: ${reason}`, {
    pageValues: { provider: provider.display_name, organization: tenant.display_name },
    cause,
  });
}

/** Sends the browser to the provider; `context` says where to come back to. */
export async function startFederation(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { tenant: TenantRow; provider: IdentityProviderRow; context: FederationContext; loginHint?: string },
) {
  const { tenant, provider } = input;
  const configuration = await relyingPartyOf(services, provider).catch((error: unknown) => {
    throw federationFailed(request, tenant, provider, error);
  });
  const client = await loadOpenidClient();
  const state = client.randomState();
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  await saveState(services, state, {
    tenantId: tenant.id,
    providerId: provider.id,
    context: input.context,
    codeVerifier,
    nonce,
  });
  reply.setCookie(FEDERATION_COOKIE, state, cookieOptions(services.config, STATE_SECONDS));
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: callbackUrlOf(services.config.baseUrl),
    scope: provider.scope,
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(input.loginHint && { login_hint: input.loginHint }),
  });
  return reply.redirect(url.href, 303);
}

const claimString = (value: unknown) =>
  typeof value === 'string' && value.length <= 1024 ? value : undefined;

/**
 * Redeems the callback's code and returns who the provider signed in. openid-client checks the state, the ID
 * token's signature (the provider's JWKS, enabled in relyingPartyOf), issuer, audience, expiry and nonce, and the
 * PKCE verifier goes to the token endpoint. Claims the ID token lacks (providers may keep them for userinfo) are
 * read from userinfo.
 */
export async function federatedIdentity(
  services: Services,
  request: FastifyRequest,
  input: { tenant: TenantRow; provider: IdentityProviderRow; pending: PendingFederation; state: string },
): Promise<Extract<HomeIdentity, { kind: 'federated' }>> {
  const { tenant, provider, pending } = input;
  try {
    const configuration = await relyingPartyOf(services, provider);
    const client = await loadOpenidClient();
    const callback = new URL(callbackUrlOf(services.config.baseUrl));
    callback.search = new URL(request.url, 'http://callback').search;
    const tokens = await client.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: input.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    await keepProviderKeys(services, provider, configuration);
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('no ID token');
    const mapping = JSON.parse(provider.claims_mapping) as ClaimsMapping;
    let claims: Record<string, unknown> = { ...idClaims };
    if (claims[mapping.email] === undefined && configuration.serverMetadata().userinfo_endpoint) {
      claims = {
        ...(await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)),
        ...claims,
      };
    }
    const userId = claimString(claims[mapping.userId]);
    const email = claimString(claims[mapping.email]);
    if (!userId || !email) throw new Error(`the provider sent no ${userId ? mapping.email : mapping.userId}`);
    return {
      kind: 'federated',
      issuer: provider.issuer,
      sub: userId,
      email,
      emailVerified: claims.email_verified === true || claims.email_verified === 'true',
      name: claimString(claims[mapping.displayName]) ?? email,
    };
  } catch (error) {
    throw federationFailed(request, tenant, provider, error);
  }
}
