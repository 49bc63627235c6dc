/**
 * The slice of oidc-provider 9's API that Foyer uses. The package ships no type definitions and we do not add
 * @types/oidc-provider for a handful of signatures; extend this file when a new hook is needed, checking the
 * signature against node_modules/oidc-provider/lib (helpers/defaults.js documents every option).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type AdapterPayload = Record<string, unknown> & {
    grantId?: string;
    userCode?: string;
    uid?: string;
    consumed?: unknown;
  };

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** The request context oidc-provider passes to its hooks (a Koa context with `oidc`). */
  export interface KoaContextWithOIDC {
    oidc: {
      params?: Record<string, unknown> & { scope?: string; grant_type?: string };
      client?: Client;
      route: string;
      session?: Session;
      /** Prompts requested by the authorization request (`prompt=consent` …). */
      prompts?: Set<string>;
      requestParamScopes?: Set<string>;
      resourceServers?: Record<string, unknown>;
      result?: { consent?: { grantId?: string } };
      entities: {
        AuthorizationCode?: { amr?: string[]; iat?: number };
        RefreshToken?: { amr?: string[]; iat?: number };
        /** The refresh token a refresh grant consumed; its successor is being issued. */
        RotatedRefreshToken?: { remainingTTL: number };
        Account?: Account;
      };
      provider: Provider;
    };
    cookies: {
      get(name: string, options?: { signed?: boolean }): string | undefined;
      set(name: string, value: string | null, options?: Record<string, unknown>): void;
    };
    set(name: string, value: string): void;
    body?: unknown;
    headers: Record<string, string | string[] | undefined>;
  }

  export interface Session {
    accountId?: string;
    loginTs?: number;
    amr?: string[];
    grantIdFor(clientId: string): string | undefined;
  }

  export interface Grant {
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantClass {
    new (properties: { accountId?: string; clientId?: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown> & {
      client_id?: string;
      scope?: string;
      login_hint?: string;
      ui_locales?: string;
      max_age?: string;
    };
    session?: { accountId?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
  }

  export interface Client {
    clientId: string;
    clientName?: string;
    redirectUris?: string[];
    /** Foyer's own metadata (extraClientMetadata keeps its snake_case name): src/oidc/clients.ts. */
    foyer_spa?: boolean;
    compareClientSecret(actual: string): boolean | Promise<boolean>;
    grantTypeAllowed(grant: string): boolean;
  }

  export interface ClientClass {
    prototype: Client;
    /** oidc-provider awaits it, so a synchronous answer is fine (src/oidc/clients.ts gives one when cached). */
    find(id: string): Client | undefined | Promise<Client | undefined>;
  }

  /** The token being issued (AccessToken, ClientCredentials, …), as seen by extraTokenClaims and customizers. */
  export interface IssuedToken {
    kind: string;
    iat?: number;
    clientId?: string;
    accountId?: string;
    scope?: string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  /** Deliberately loose: the option tree is large; the values Foyer sets are checked by the provider at start. */
  export type Configuration = Record<string, unknown>;

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    /** The context of the request being served (an AsyncLocalStorage store), outside a request undefined. */
    static readonly ctx: KoaContextWithOIDC | undefined;
    readonly issuer: string;
    proxy: boolean;
    readonly Client: ClientClass;
    readonly Grant: GrantClass;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    on(event: string, listener: (...args: never[]) => void): this;
  }

  class OIDCProviderError extends Error {
    error: string;
    error_description?: string;
    status: number;
  }

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidScope: new (description: string, scope?: string) => OIDCProviderError;
    InvalidTarget: new (description?: string) => OIDCProviderError;
    InvalidClient: new (description?: string) => OIDCProviderError;
    InvalidGrant: new (description?: string) => OIDCProviderError;
    InvalidRequest: new (description?: string) => OIDCProviderError;
    SessionNotFound: typeof OIDCProviderError;
  };

  export default Provider;
}
