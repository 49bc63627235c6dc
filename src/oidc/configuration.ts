import type { Client, Configuration, errors, IssuedToken, KoaContextWithOIDC } from 'oidc-provider';
import type { Services } from '../app/services.js';
import { hashSecret } from '../platform/secrets.js';
import { accountFinder, claimsForToken } from './account.js';
import { type CurrentRequest, SqlAdapter } from './adapter.js';
import { SPA_CLIENT_METADATA, type TenantClients } from './clients.js';
import { delegatedScopes, scpOf } from './delegated.js';
import { deriveKey } from './key-encryption.js';
import { SIGNING_ALG, type TenantSigningKeys } from './keys.js';
import {
  ANONYMOUS_SESSION_TTL_SECONDS,
  AUTHORIZATION_CODE_TTL_SECONDS,
  CLOCK_TOLERANCE_SECONDS,
  GRANT_TTL_SECONDS,
  ID_TOKEN_TTL_SECONDS,
  INTERACTION_TTL_SECONDS,
  refreshTokenTtl,
  SESSION_TTL_SECONDS,
} from './lifetimes.js';
import { providerPages } from './provider-pages.js';

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
  /** oidc-provider's context of the request being served (`Provider.ctx`). */
  currentRequest: CurrentRequest;
}

function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const scope = ctx.oidc.params?.scope;
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}

/** Pairwise subjects remembered per tenant provider; the memo is simply emptied when it reaches this. */
const PAIRWISE_MEMO_MAX = 10_000;

/**
 * `sub` for an account as one client sees it: a keyed hash of both, a pure function of its inputs and the
 * instance secret, so a memo of it can never be stale. oidc-provider asks for it on every ID token (each code
 * exchange and refresh); the memo spares the HMAC for the people currently signing in.
 */
function pairwiseSubjects(secret: string) {
  const memo = new Map<string, string>();
  return (clientId: string, accountId: string): string => {
    const key = `${clientId}\0${accountId}`;
    let sub = memo.get(key);
    if (sub === undefined) {
      sub = hashSecret(`pairwise:${clientId}:${accountId}`, secret);
      if (memo.size >= PAIRWISE_MEMO_MAX) memo.clear();
      memo.set(key, sub);
    }
    return sub;
  };
}

/** oidc-provider configuration for one tenant. Everything tenant-specific comes in through `parts`. */
export function providerConfiguration(parts: TenantProviderParts): Configuration {
  const { services, tenantId, keys, clients, errors, currentRequest } = parts;
  const { config } = services;
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

  const pages = providerPages(services, tenantId);
  const pairwiseSubject = pairwiseSubjects(config.secret);

  /** Claims of an access token issued to a signed-in user (delegated), and the defaults of any other kind. */
  async function delegatedClaims(ctx: KoaContextWithOIDC, token: IssuedToken) {
    if (token.kind === 'AccessToken' && token.accountId) {
      // Who signed in (PRODUCT §2 claims), through which app, with which permissions and methods.
      const claims = await claimsForToken(services, tenantId, ctx.oidc.entities.Account, token.accountId);
      const signIn = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      const application = token.clientId ? await clients.application(token.clientId) : undefined;
      return {
        ...claims,
        azp: token.clientId,
        appid: token.clientId,
        ...(application && { app_displayname: application.displayName }),
        scp: scpOf(token.scope, directoryApi),
        ...(signIn?.amr && { amr: signIn.amr }),
        ver: '2.0',
      };
    }
    return { tid: tenantId, ver: '2.0' };
  }

  return {
    renderError: pages.renderError,
    adapter: (model: string) =>
      model === 'Client'
        ? clients.adapter()
        : new SqlAdapter(
            services,
            tenantId,
            model,
            () => new errors.InvalidGrant('grant request is invalid'),
            currentRequest,
          ),
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
    // The B2B claims of PRODUCT §2 (README "Token claims"); `amr` and `auth_time` come from the sign-in itself.
    claims: {
      acr: null,
      auth_time: null,
      sid: null,
      // Entra's ID tokens carry `email` whenever the user has one: a claim belongs to one scope here, so openid.
      openid: ['sub', 'tid', 'oid', 'idp', 'acct', 'amr', 'email', 'groups'],
      profile: ['name', 'preferred_username'],
    },
    // `sub` is pairwise per client id, as in Entra: two apps cannot correlate a person by it (`oid` is stable).
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx: unknown, accountId: string, client: Client) =>
      pairwiseSubject(client.clientId, accountId),
    // OIDC Core §11 drops offline_access unless prompt=consent, but MSAL asks for it without, and Entra issues a
    // refresh token anyway. Like Entra, every code exchange of a client allowed the refresh_token grant gets one.
    issueRefreshToken: async (_ctx: unknown, client: Client) => client.grantTypeAllowed('refresh_token'),
    // Every refresh rotates the token: a stolen one is detected on its next use (RFC 9700 §4.14.2).
    rotateRefreshToken: true,
    // As in Entra, a refresh token belongs to the user's grant, not to the browser's sign-in session: it outlives
    // the 24-hour session and RP-initiated logout (oidc-provider binds it to the session when the code's scope
    // lacks offline_access, which §11 strips above). revokeSignInSessions, a password change or a disabled
    // account end it (./account.ts); its lifetime is ./lifetimes.ts#refreshTokenTtl.
    expiresWithSession: () => false,
    extraClientMetadata: { properties: [SPA_CLIENT_METADATA] },
    // Applications registered in the tenant are consented by the tenant (Entra's admin consent): a grant is
    // made on the fly, and the consent page shows only when the request says prompt=consent.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const clientId = oidc.client?.clientId;
      const accountId = oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (existing && existing.accountId !== accountId) return undefined;
      const grant = existing ?? new oidc.provider.Grant({ clientId, accountId });
      const requested = [...(oidc.requestParamScopes ?? [])];
      grant.addOIDCScope(requested.filter((scope) => !scope.includes('/')).join(' '));
      const apiScopes = requested.filter((scope) => scope.startsWith(`${directoryApi}/`));
      if (apiScopes.length > 0) grant.addResourceScope(directoryApi, apiScopes.join(' '));
      await grant.save();
      return grant;
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
      // A request that authenticates nobody (GET /logout of a signed-out browser) keeps its row briefly.
      Session: (_ctx: unknown, session: { accountId?: string }) =>
        session.accountId ? SESSION_TTL_SECONDS : ANONYMOUS_SESSION_TTL_SECONDS,
      Grant: GRANT_TTL_SECONDS,
      RefreshToken: refreshTokenTtl,
    },
    features: {
      // Never the built-in dev login pages: sign-in is Foyer's own (interactions.url below).
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
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
        // The token endpoint's hooks answer synchronously where they can: oidc-provider awaits each either way,
        // and on Node 20 every promise is also seen by its AsyncLocalStorage hooks.
        defaultResource: (ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string | string[]) => {
          if (oneOf) return oneOf;
          if (requestedScopes(ctx).some((scope) => scope.startsWith(`${directoryApi}/`))) return directoryApi;
          if (isClientCredentials(ctx)) assertAppOnlyScope(ctx);
          return undefined;
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: KoaContextWithOIDC, indicator: string) => {
          if (indicator !== directoryApi && indicator !== `${directoryApi}/`) {
            throw new errors.InvalidTarget(`unknown resource; this instance's API is '${directoryApi}'`);
          }
          if (isClientCredentials(ctx)) assertAppOnlyScope(ctx);
          return {
            // App-only: exactly `.default`; delegated (users through MSAL): `.default` or named permissions.
            scope: isClientCredentials(ctx) ? defaultScope : delegatedScopes(directoryApi),
            audience: directoryApi,
            accessTokenFormat: 'jwt',
            accessTokenTTL: config.accessTokenTtlSeconds,
            jwt: { sign: { alg: SIGNING_ALG, kid: keys.currentKid } },
          };
        },
      },
    },
    extraTokenClaims: (ctx: KoaContextWithOIDC, token: IssuedToken) =>
      token.kind === 'ClientCredentials' && token.clientId
        ? clients.appOnlyClaims(token.clientId)
        : delegatedClaims(ctx, token),
    formats: {
      customizers: {
        // Entra app-only tokens: `sub` is the application's object id (oidc-provider would put the client id), and
        // permissions travel in `roles`, with no `scp`/`scope`.
        jwt: (_ctx: unknown, token: IssuedToken, jwt: { payload: Record<string, unknown> }) => {
          // `scope` is set to undefined rather than deleted (JSON leaves it out all the same): a delete turns the
          // payload into a slow dictionary-mode object for the JSON.stringify that signs it, on every token.
          if (token.kind === 'ClientCredentials' && typeof jwt.payload.oid === 'string') {
            jwt.payload.sub = jwt.payload.oid;
            jwt.payload.scope = undefined;
          }
          // Delegated tokens carry Entra's `scp` (permission names), not the raw scope URIs.
          if (token.kind === 'AccessToken') jwt.payload.scope = undefined;
        },
      },
    },
    interactions: {
      // Foyer's sign-in pages (src/oidc/interactions): login, the guest's review of permissions, app consent.
      url: async (_ctx: unknown, interaction: { uid: string }) =>
        `${config.baseUrl}/${tenantId}/login/${interaction.uid}`,
    },
    findAccount: accountFinder(services, tenantId),
  };
}
