import { hash, randomBytes } from 'node:crypto';
import type { Adapter, AdapterPayload, Client, Provider } from 'oidc-provider';
import type { Services } from '../app/services.js';
import {
  findClientApplication,
  findPasswordsByHash,
  listApplicationPermissions,
} from '../applications/store.js';
import { principalsEpoch } from '../auth/resolve.js';
import { hashSecret } from '../platform/secrets.js';
import { isUnstorableKey } from '../platform/text.js';

/**
 * OAuth clients are the directory's applications (appId = client_id), read from the `applications` table of
 * the provider's own tenant only, so a client of tenant A does not exist at tenant B's endpoints.
 *
 * Client secrets are stored only as HMAC-SHA-256 hashes (src/platform/secrets.ts), while oidc-provider compares
 * a plaintext `client_secret`. We use the seam its maintainer points to for hashed secrets
 * (https://github.com/panva/node-oidc-provider/issues/631): the per-provider Client class's
 * `compareClientSecret`, which the provider awaits during client authentication (shared/client_auth.js).
 * Our version hashes the presented secret and looks for an application password with that hash whose validity
 * window contains now. The metadata handed to the provider carries a random per-process placeholder secret
 * instead of any real one, which fails closed: were the override ever not applied (an upgrade moving the seam),
 * the stock comparison against the placeholder would reject every client rather than accept any.
 * Consequence, by design: client_secret_jwt and symmetric (HS*) client algorithms are not offered.
 */

/** Client metadata of Foyer's own (oidc-provider's extraClientMetadata): the client is a single-page app. */
export const SPA_CLIENT_METADATA = 'foyer_spa';

export interface ClientApplication {
  objectId: string;
  appId: string;
  displayName: string;
  redirectUris: string[];
  /** SPA and mobile/desktop redirect URIs: such a client has no secret, so PKCE is its proof (RFC 7636). */
  publicRedirectUris: string[];
  /** Registered with SPA redirect URIs: a browser holds its tokens (refresh tokens last 24 hours, as in Entra). */
  spa: boolean;
}

/**
 * How long the token endpoint trusts what it read about a client: its metadata, and a secret it accepted with
 * the permissions read alongside. The token endpoint asks on every call, so without this every token costs a
 * query. A change made through this process (a removed secret, a deleted application, a granted or revoked
 * permission) is seen at once (the epoch of src/auth/resolve.ts); one made through another instance or the CLI
 * within this bound. A wrong secret is never cached: it is checked against the database every time.
 */
export const CLIENT_CACHE_MS = 10_000;
const CLIENT_CACHE_MAX = 1_000;
/** How long permissions read at authentication serve the token being issued. */
const AUTHENTICATED_ROLES_MS = 2_000;

interface PasswordWindow {
  start: number;
  end: number;
}

/** A secret accepted for a client: its validity windows and the permissions read with them. */
interface AcceptedSecret {
  windows: PasswordWindow[];
  roles: string[];
  loadedAt: number;
  epoch: number;
}

/** The claims Foyer adds to an app-only access token (Entra's), beside the ones oidc-provider sets. */
export interface AppOnlyClaims {
  tid: string;
  ver: '2.0';
  oid?: string;
  azp?: string;
  appid?: string;
  app_displayname?: string;
  roles?: string[];
  idtyp?: 'app';
}

function httpUris(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (uri): uri is string => typeof uri === 'string' && URL.canParse(uri) && /^https?:/i.test(uri),
    );
  } catch {
    return [];
  }
}

export class TenantClients {
  private readonly cache = new Map<
    string,
    { application: ClientApplication; loadedAt: number; epoch: number }
  >();
  /**
   * `clientId NUL SHA-256 of the secret` → an accepted secret; only successful authentications are kept. A
   * plain digest is enough to key memory (the secrets are random, and nothing here leaves the process) and
   * costs a fraction of the keyed hash, which is computed only when the database is asked.
   */
  private readonly secrets = new Map<string, AcceptedSecret>();
  private readonly placeholderSecret = randomBytes(32).toString('base64url');
  private readonly metadataOf = new WeakMap<ClientApplication, AdapterPayload>();
  /**
   * client id → the permissions read with its secret, for the same request's `roles` claim (one query per token,
   * not two). Keyed by client, so concurrent requests of one client can only share the same reading. An
   * AsyncLocalStorage would scope it to the request, but costs every promise in the process on Node 20.
   */
  private readonly authenticatedRoles = new Map<string, { roles: string[]; at: number }>();
  /** The app-only claims built for a reading of an application's permissions, reused while that reading is. */
  private readonly appOnlyClaimsOf = new WeakMap<
    string[],
    { application: ClientApplication; claims: AppOnlyClaims }
  >();

  constructor(
    private readonly services: Pick<Services, 'db' | 'clock' | 'config'>,
    private readonly tenantId: string,
  ) {}

  /** The application behind a client id in this tenant (briefly cached: the token endpoint asks on every call). */
  async application(clientId: string): Promise<ClientApplication | undefined> {
    return this.cachedApplication(clientId) ?? this.readApplication(clientId);
  }

  /**
   * The application behind a client id while its cached reading is fresh, without waiting for anything: the
   * token endpoint's hooks answer from here synchronously (every promise costs twice on Node 20, where
   * oidc-provider's AsyncLocalStorage hooks each one).
   */
  private cachedApplication(clientId: string): ClientApplication | undefined {
    const cached = this.cache.get(clientId);
    return cached && this.fresh(cached, this.now(), principalsEpoch(this.services.db))
      ? cached.application
      : undefined;
  }

  private async readApplication(clientId: string): Promise<ClientApplication | undefined> {
    // A client id no application can have (a NUL, absurd length) is unknown, not a database error.
    if (isUnstorableKey(clientId)) return undefined;
    const now = this.now();
    const epoch = principalsEpoch(this.services.db);
    const row = await findClientApplication(this.services.db, this.tenantId, clientId);
    if (!row) {
      this.cache.delete(clientId);
      return undefined;
    }
    const spaRedirectUris = httpUris(row.spa_redirect_uris);
    const application: ClientApplication = {
      objectId: row.id,
      appId: row.app_id,
      displayName: row.display_name,
      // Web redirect URIs belong to confidential clients; SPA and public-client URIs to clients without a secret.
      redirectUris: httpUris(row.web_redirect_uris),
      publicRedirectUris: [...spaRedirectUris, ...httpUris(row.public_client_redirect_uris)],
      spa: spaRedirectUris.length > 0,
    };
    if (this.cache.size >= CLIENT_CACHE_MAX) this.cache.clear();
    this.cache.set(clientId, { application, loadedAt: now, epoch });
    return application;
  }

  /** The service clock (tests move it), so the bounds above are points in the time the rest of Foyer keeps. */
  private now(): number {
    return this.services.clock.now().getTime();
  }

  private fresh(entry: { loadedAt: number; epoch: number }, now: number, epoch: number): boolean {
    return entry.epoch === epoch && now >= entry.loadedAt && now - entry.loadedAt < CLIENT_CACHE_MS;
  }

  /**
   * oidc-provider client metadata (RFC 7591 names) for an application. An application with only SPA or
   * public-client redirect URIs is a public client (no secret; PKCE required by the provider's default); one
   * with web redirect URIs is confidential and may use all its URIs. `sub` is pairwise per client, as in Entra.
   */
  metadata(application: ClientApplication): AdapterPayload {
    const isPublic = application.redirectUris.length === 0 && application.publicRedirectUris.length > 0;
    const redirectUris = [...application.redirectUris, ...application.publicRedirectUris];
    const interactive = redirectUris.length > 0;
    return {
      client_id: application.appId,
      ...(isPublic ? {} : { client_secret: this.placeholderSecret }),
      client_name: application.displayName,
      token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
      grant_types: isPublic
        ? ['authorization_code', 'refresh_token']
        : interactive
          ? ['authorization_code', 'refresh_token', 'client_credentials']
          : ['client_credentials'],
      response_types: interactive ? ['code'] : [],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: redirectUris,
      subject_type: 'pairwise',
      // Only a public client's tokens are redeemed in the browser; a secret keeps them on a server.
      [SPA_CLIENT_METADATA]: isPublic && application.spa,
    };
  }

  /**
   * True when `presented` is a current password of the client: its keyed hash matches and now is in its
   * window. The application's permissions come back in the same query and are kept for this request's token.
   */
  secretMatches(clientId: string, presented: string): boolean | Promise<boolean> {
    if (!presented) return false;
    const key = `${clientId}\0${hash('sha256', presented, 'base64url')}`;
    const now = this.now();
    const epoch = principalsEpoch(this.services.db);
    const accepted = this.secrets.get(key);
    // A secret accepted a moment ago is answered without waiting for anything (see cachedApplication).
    if (accepted && this.fresh(accepted, now, epoch)) return this.admits(clientId, accepted, now);
    return this.checkSecret(clientId, presented, key, now, epoch);
  }

  private async checkSecret(
    clientId: string,
    presented: string,
    key: string,
    now: number,
    epoch: number,
  ): Promise<boolean> {
    this.secrets.delete(key);
    const keyed = hashSecret(presented, this.services.config.secret);
    const accepted = await this.readSecret(clientId, keyed, now, epoch);
    if (!accepted) return false;
    if (this.secrets.size >= CLIENT_CACHE_MAX) this.secrets.clear();
    this.secrets.set(key, accepted);
    return this.admits(clientId, accepted, now);
  }

  private admits(clientId: string, accepted: AcceptedSecret, now: number): boolean {
    // The window is checked on every use: a secret that expires while cached stops at its end date.
    if (!accepted.windows.some((window) => window.start <= now && now < window.end)) return false;
    this.authenticatedRoles.set(clientId, { roles: accepted.roles, at: Date.now() });
    return true;
  }

  private async readSecret(
    clientId: string,
    hash: string,
    now: number,
    epoch: number,
  ): Promise<AcceptedSecret | undefined> {
    // Looking the hash up by equality leaks nothing useful through timing: it is keyed by FOYER_SECRET, so a
    // caller cannot aim at the stored value.
    const rows = await findPasswordsByHash(this.services.db, this.tenantId, clientId, hash);
    if (rows.length === 0) return undefined;
    const roles = new Set(rows.flatMap((row) => (row.permission === null ? [] : [row.permission])));
    return {
      windows: rows.map((row) => ({
        start: Date.parse(row.start_date_time),
        end: Date.parse(row.end_date_time),
      })),
      roles: [...roles].sort(),
      loadedAt: now,
      epoch,
    };
  }

  /**
   * Application permissions granted to the app (its `roles` claim): those read a moment ago when it authenticated
   * (every token request authenticates first, so they are this request's reading), else read now. Grants and
   * revocations show in the next token.
   */
  private async roles(application: ClientApplication): Promise<string[]> {
    return (
      this.authenticatedRolesOf(application) ??
      listApplicationPermissions(this.services.db, this.tenantId, application.objectId)
    );
  }

  private authenticatedRolesOf(application: ClientApplication): string[] | undefined {
    const authenticated = this.authenticatedRoles.get(application.appId);
    return authenticated && Date.now() - authenticated.at < AUTHENTICATED_ROLES_MS
      ? authenticated.roles
      : undefined;
  }

  /**
   * Entra's claims of an app-only token for `clientId`: who the application is (`oid`, `appid`, its name) and
   * its application permissions (`roles`). On the token endpoint's hot path both readings are at hand (the
   * client authenticated a moment ago), so the object built for them is reused and nothing is awaited.
   */
  appOnlyClaims(clientId: string): AppOnlyClaims | Promise<AppOnlyClaims> {
    const application = this.cachedApplication(clientId);
    const roles = application && this.authenticatedRolesOf(application);
    if (!application || !roles) return this.readAppOnlyClaims(clientId);
    const built = this.appOnlyClaimsOf.get(roles);
    if (built?.application === application) return built.claims;
    const claims = this.buildAppOnlyClaims(application, roles);
    this.appOnlyClaimsOf.set(roles, { application, claims });
    return claims;
  }

  private async readAppOnlyClaims(clientId: string): Promise<AppOnlyClaims> {
    const application = await this.application(clientId);
    if (!application) return { tid: this.tenantId, ver: '2.0' };
    return this.buildAppOnlyClaims(application, await this.roles(application));
  }

  private buildAppOnlyClaims(application: ClientApplication, roles: string[]): AppOnlyClaims {
    // Frozen: one object serves many tokens, so nothing may change it in place.
    return Object.freeze({
      tid: this.tenantId,
      oid: application.objectId,
      azp: application.appId,
      appid: application.appId,
      app_displayname: application.displayName,
      roles,
      idtyp: 'app',
      ver: '2.0',
    });
  }

  /** The storage adapter oidc-provider uses for its `Client` model: read-only, from the directory. */
  adapter(): Adapter {
    const readOnly = async () => {
      throw new Error('Clients are directory applications; they are not written through oidc-provider.');
    };
    return {
      find: async (clientId) => {
        const application = await this.application(clientId);
        if (!application) return undefined;
        // Built once per cached application: the token endpoint asks for it on every request.
        let metadata = this.metadataOf.get(application);
        if (!metadata) {
          metadata = this.metadata(application);
          this.metadataOf.set(application, metadata);
        }
        return metadata;
      },
      findByUid: async () => undefined,
      findByUserCode: async () => undefined,
      upsert: readOnly,
      consume: readOnly,
      destroy: readOnly,
      revokeByGrantId: readOnly,
    };
  }

  /**
   * Installs, on this provider's Client class, the hashed-secret comparison (see the module comment) and a
   * lookup that reuses the Client built for a cached application. oidc-provider's own `Client.find` keeps
   * built clients too, but finds them by a SHA-256 of the JSON of the adapter's metadata, computed on every
   * token request; the application's cached reading identifies the same metadata for free, and a new reading
   * (a change, the end of the cache bound) goes through the stock lookup again.
   */
  install(provider: Provider): void {
    const clients = this;
    provider.Client.prototype.compareClientSecret = function compareClientSecret(presented: string) {
      return clients.secretMatches(this.clientId, presented);
    };
    const stockFind = provider.Client.find.bind(provider.Client);
    const built = new WeakMap<ClientApplication, Client>();
    const buildFor = async (id: string) => {
      const application = await clients.application(id);
      if (!application) return undefined;
      const client = await stockFind(id);
      if (client) built.set(application, client);
      return client;
    };
    // Synchronous when the client was built for the cached application (oidc-provider awaits either way).
    provider.Client.find = (id: string) => {
      if (typeof id !== 'string') return Promise.resolve(undefined);
      const application = clients.cachedApplication(id);
      return (application && built.get(application)) || buildFor(id);
    };
  }
}
