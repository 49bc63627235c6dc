import type { Account, Configuration, errors, IssuedToken, KoaContextWithOIDC } from 'oidc-provider';
import type { Services } from '../app/services.js';
import { SqlAdapter } from './adapter.js';
import type { TenantClients } from './clients.js';
import { deriveKey } from './key-encryption.js';
import { SIGNING_ALG, type TenantSigningKeys } from './keys.js';
import {
  AUTHORIZATION_CODE_TTL_SECONDS,
  CLOCK_TOLERANCE_SECONDS,
  GRANT_TTL_SECONDS,
  ID_TOKEN_TTL_SECONDS,
  INTERACTION_TTL_SECONDS,
  REFRESH_TOKEN_TTL_SECONDS,
  SESSION_TTL_SECONDS,
} from './lifetimes.js';
import { findAccountUser } from './store.js';

/**
 * Provider paths, relative to the tenant's mount point `{base}/{tenantId}` (Entra's v2.0 layout). Discovery is
 * oidc-provider's fixed `/.well-known/openid-configuration`; the plugin maps Entra's
 * `/{tenant}/v2.0/.well-known/openid-configuration` onto it.
 */
export const providerRoutes = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  end_session: '/oauth2/v2.0/logout',
  jwks: '/discovery/v2.0/keys',
  userinfo: '/oidc/userinfo',
} as const;

export interface TenantProviderParts {
  services: Services;
  tenantId: string;
  keys: TenantSigningKeys;
  clients: TenantClients;
  /** oidc-provider's error classes (the module is loaded lazily, see providers.ts). */
  errors: typeof errors;
}

function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const scope = ctx.oidc.params?.scope;
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}

/** oidc-provider configuration for one tenant. Everything tenant-specific comes in through `parts`. */
export function providerConfiguration(parts: TenantProviderParts): Configuration {
  const { services, tenantId, keys, clients, errors } = parts;
  const { config, db } = services;
  // The directory API is the resource `{base}`; app-only callers ask for `{base}/.default` (Entra's convention).
  const directoryApi = config.baseUrl;
  const defaultScope = `${directoryApi}/.default`;
  const isClientCredentials = (ctx: KoaContextWithOIDC) =>
    ctx.oidc.params?.grant_type === 'client_credentials';

  function assertAppOnlyScope(ctx: KoaContextWithOIDC): void {
    const scopes = requestedScopes(ctx);
    const offending =
      scopes.find((scope) => scope !== defaultScope) ?? (scopes.length === 0 ? '' : undefined);
    if (offending !== undefined) {
      throw new errors.InvalidScope(
        `app-only tokens take exactly the scope '${defaultScope}'`,
        offending || undefined,
      );
    }
  }

  return {
    adapter: (model: string) =>
      model === 'Client' ? clients.adapter() : new SqlAdapter(services, tenantId, model),
    jwks: { keys: keys.privateJwks },
    cookies: {
      keys: [deriveKey(config.secret, `foyer/oidc/cookies/v1/${tenantId}`).toString('base64url')],
      // Tenant-specific names: every tenant's provider lives on the same host, and a tenant can be addressed by
      // several paths (id, slug, domain), so path-scoped cookies would not keep them apart.
      names: {
        session: `foyer_session_${tenantId}`,
        interaction: `foyer_interaction_${tenantId}`,
        resume: `foyer_resume_${tenantId}`,
      },
    },
    routes: providerRoutes,
    responseTypes: ['code'],
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub', 'tid', 'oid'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    // Secrets are stored hashed (src/oidc/clients.ts): no client_secret_jwt, which needs the plaintext.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG] },
    clientDefaults: { id_token_signed_response_alg: SIGNING_ALG },
    // Browsers may call the token endpoint only from the origins of the client's own redirect URIs.
    clientBasedCORS: (_ctx: unknown, origin: string, client: { redirectUris?: string[] }) =>
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    ttl: {
      AccessToken: config.accessTokenTtlSeconds,
      ClientCredentials: config.accessTokenTtlSeconds,
      IdToken: ID_TOKEN_TTL_SECONDS,
      AuthorizationCode: AUTHORIZATION_CODE_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: SESSION_TTL_SECONDS,
      Grant: GRANT_TTL_SECONDS,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
    },
    features: {
      // Never the built-in dev login pages: sign-in is Foyer's own (interactions.url below).
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Off (oidc-provider enables it by default): the directory API checks no DPoP proof, so a DPoP-bound
      // token would be accepted there as a plain bearer token. Not advertised, never bound (RFC 9449).
      dPoP: { enabled: false },
      // Off until a route serves it (src/oidc/index.ts lists the public paths); Entra clients do not need it.
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // Entra clients name the resource through the scope (`{base}/.default`, `{base}/User.Read`), not RFC 8707's
        // `resource` parameter: derive it from there.
        defaultResource: async (ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string | string[]) => {
          if (oneOf) return oneOf;
          if (requestedScopes(ctx).some((scope) => scope.startsWith(`${directoryApi}/`))) return directoryApi;
          if (isClientCredentials(ctx)) assertAppOnlyScope(ctx);
          return undefined;
        },
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx: KoaContextWithOIDC, indicator: string) => {
          if (indicator !== directoryApi && indicator !== `${directoryApi}/`) {
            throw new errors.InvalidTarget(`unknown resource; this instance's API is '${directoryApi}'`);
          }
          if (isClientCredentials(ctx)) assertAppOnlyScope(ctx);
          return {
            // Delegated scopes (`{base}/User.Read`, …) join this list with the authorization code issue.
            scope: defaultScope,
            audience: directoryApi,
            accessTokenFormat: 'jwt',
            accessTokenTTL: config.accessTokenTtlSeconds,
            jwt: { sign: { alg: SIGNING_ALG, kid: keys.currentKid } },
          };
        },
      },
    },
    extraTokenClaims: async (_ctx: KoaContextWithOIDC, token: IssuedToken) => {
      if (token.kind === 'ClientCredentials' && token.clientId) {
        const application = await clients.application(token.clientId);
        if (!application) return { tid: tenantId, ver: '2.0' };
        return {
          tid: tenantId,
          oid: application.objectId,
          azp: application.appId,
          appid: application.appId,
          app_displayname: application.displayName,
          roles: await clients.roles(application),
          idtyp: 'app',
          ver: '2.0',
        };
      }
      // Delegated tokens: `oid`, `scp`, `idp`, `acct` arrive with sign-in (PRODUCT.md §2).
      return { tid: tenantId, ver: '2.0' };
    },
    formats: {
      customizers: {
        // Entra app-only tokens: `sub` is the application's object id (oidc-provider would put the client id), and
        // permissions travel in `roles`, with no `scp`/`scope`.
        jwt: async (_ctx: unknown, token: IssuedToken, jwt: { payload: Record<string, unknown> }) => {
          if (token.kind === 'ClientCredentials' && typeof jwt.payload.oid === 'string') {
            jwt.payload.sub = jwt.payload.oid;
            delete jwt.payload.scope;
          }
        },
      },
    },
    interactions: {
      // PLACEHOLDER until Foyer's sign-in pages land: the provider sends the browser here for login/consent, and
      // that page resumes the flow with provider.interactionFinished(). Nothing serves this path yet.
      url: async (_ctx: unknown, interaction: { uid: string }) =>
        `${config.baseUrl}/${tenantId}/login/${interaction.uid}`,
    },
    findAccount: async (_ctx: unknown, sub: string): Promise<Account | undefined> => {
      const user = await findAccountUser(db, tenantId, sub);
      if (user?.account_enabled !== 1) return undefined;
      return {
        accountId: user.id,
        claims: () => ({
          sub: user.id,
          tid: tenantId,
          oid: user.id,
          name: user.display_name,
          preferred_username: user.user_principal_name,
          email: user.mail ?? undefined,
        }),
      };
    },
  };
}
