import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Services } from '../app/services.js';
import { issuerOf } from '../platform/issuer.js';
import { onFirstUse } from '../platform/lazy.js';
import { endSessionByCookieValue, SESSION_COOKIE } from '../sessions/service.js';
import { findTenantByRef } from '../tenants/store.js';
import { TenantClients } from './clients.js';
import { providerConfiguration } from './configuration.js';
import { loadTenantSigningKeys, onSigningKeysRotated, signingKeysVersion } from './keys.js';
import { SIGNING_KEY_CACHE_SECONDS } from './lifetimes.js';

/**
 * One oidc-provider per tenant, built on first use and cached. A provider is rebuilt when the tenant's published
 * signing keys change: at once after a rotation in this process, and within KEY_CHECK_INTERVAL_MS for a rotation
 * made elsewhere (another instance, the CLI) or a rotation's grace period ending, via one small query per tenant
 * per interval.
 */

const MAX_PROVIDERS = 200;
const KEY_CHECK_INTERVAL_MS = SIGNING_KEY_CACHE_SECONDS * 1000;
/**
 * Slugs and domains can move between tenants, and tenants can go: a TTL on the service clock bounds how long a
 * stale mapping lives on any instance.
 */
export const TENANT_REF_CACHE_MS = 30_000;
const MAX_TENANT_REFS = 10_000;

export interface TenantProvider {
  tenantId: string;
  provider: Provider;
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  keysVersion: string;
  keysCheckedAt: number;
}

/**
 * oidc-provider is the heaviest module Foyer loads (a fifth of start-up). It is loaded when the first tenant
 * provider is built, or just after the server starts listening (the plugin warms it), so /readyz does not wait.
 */
export const loadOidcProvider = onFirstUse(() => import('oidc-provider'));

export class OidcProviders {
  private readonly entries = new Map<string, Promise<TenantProvider>>();
  /** The entries above that have finished building, for `peek` (which cannot await). */
  private readonly built = new Map<string, TenantProvider>();
  private readonly tenantRefs = new Map<string, { tenantId: string; expiresAt: number }>();
  private readonly stopListening: () => void;

  constructor(
    private readonly services: Services,
    private readonly log: FastifyBaseLogger,
  ) {
    this.stopListening = onSigningKeysRotated(services.db, (tenantId) => this.invalidate(tenantId));
  }

  /** The tenant id behind a URL reference (id, slug or verified domain), or undefined for an unknown tenant. */
  async resolveTenant(ref: string): Promise<string | undefined> {
    const key = ref.toLowerCase();
    const now = this.services.clock.now().getTime();
    const cached = this.tenantRefs.get(key);
    if (cached && cached.expiresAt > now && cached.expiresAt - now <= TENANT_REF_CACHE_MS)
      return cached.tenantId;
    const tenant = await findTenantByRef(this.services.db, key);
    if (!tenant) return undefined;
    if (this.tenantRefs.size >= MAX_TENANT_REFS) this.tenantRefs.clear();
    this.tenantRefs.set(key, { tenantId: tenant.id, expiresAt: now + TENANT_REF_CACHE_MS });
    return tenant.id;
  }

  /**
   * The provider behind a URL reference when everything is already at hand, synchronously: the reference
   * resolved within TENANT_REF_CACHE_MS, the provider built, its keys checked within KEY_CHECK_INTERVAL_MS.
   * Undefined otherwise, and the caller takes the full path (resolveTenant, get), which refreshes all three:
   * the same bounds hold on both paths.
   */
  peek(ref: string): TenantProvider | undefined {
    const now = this.services.clock.now().getTime();
    const cached = this.tenantRefs.get(ref.toLowerCase());
    if (!cached || !(cached.expiresAt > now && cached.expiresAt - now <= TENANT_REF_CACHE_MS))
      return undefined;
    const entry = this.built.get(cached.tenantId);
    if (!entry || now - entry.keysCheckedAt > KEY_CHECK_INTERVAL_MS || now < entry.keysCheckedAt)
      return undefined;
    return entry;
  }

  async get(tenantId: string): Promise<TenantProvider> {
    let pending = this.entries.get(tenantId);
    if (pending) {
      // Least-recently-used order: a Map iterates in insertion order, so re-inserting marks it fresh.
      this.entries.delete(tenantId);
      this.entries.set(tenantId, pending);
    } else {
      pending = this.create(tenantId);
      this.entries.set(tenantId, pending);
      while (this.entries.size > MAX_PROVIDERS) {
        const oldest = this.entries.keys().next().value!;
        this.entries.delete(oldest);
        this.built.delete(oldest);
      }
    }
    let entry: TenantProvider;
    try {
      entry = await pending;
    } catch (error) {
      if (this.entries.get(tenantId) === pending) this.entries.delete(tenantId);
      throw error;
    }
    if (this.entries.get(tenantId) === pending) this.built.set(tenantId, entry);
    // The service clock, not Date.now(): a grace period ending is a point in that clock's time.
    const now = this.services.clock.now().getTime();
    if (now - entry.keysCheckedAt > KEY_CHECK_INTERVAL_MS) {
      // Claimed before the await, so concurrent requests keep using the entry instead of all checking.
      entry.keysCheckedAt = now;
      const version = await signingKeysVersion(this.services, tenantId);
      if (version !== entry.keysVersion) {
        if (this.entries.get(tenantId) === pending) this.invalidate(tenantId);
        return this.get(tenantId);
      }
    }
    return entry;
  }

  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
    this.built.delete(tenantId);
  }

  close(): void {
    this.stopListening();
    this.entries.clear();
    this.built.clear();
    this.tenantRefs.clear();
  }

  private async create(tenantId: string): Promise<TenantProvider> {
    const { services } = this;
    const keys = await loadTenantSigningKeys(services, tenantId);
    const clients = new TenantClients(services, tenantId);
    const { default: Provider, errors } = await loadOidcProvider();
    const provider = new Provider(
      issuerOf(services.config.baseUrl, tenantId),
      providerConfiguration({
        services,
        tenantId,
        keys,
        clients,
        errors,
        currentRequest: () => Provider.ctx,
      }),
    );
    clients.install(provider);
    // The plugin overwrites X-Forwarded-Proto/Host from FOYER_BASE_URL and X-Forwarded-For from Fastify's
    // trust-aware request.ip before every hand-off, so trusting them here trusts only what Foyer computed.
    provider.proxy = true;
    this.observe(provider);
    return {
      tenantId,
      provider,
      handle: provider.callback(),
      keysVersion: keys.version,
      keysCheckedAt: services.clock.now().getTime(),
    };
  }

  private observe(provider: Provider): void {
    const { metrics } = this.services;
    provider.on('grant.success', (ctx: { oidc: { params?: { grant_type?: unknown } }; body?: unknown }) => {
      const grant = String(ctx.oidc.params?.grant_type ?? 'unknown');
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      for (const kind of ['access_token', 'id_token', 'refresh_token']) {
        if (typeof body[kind] === 'string') metrics.tokensIssued.inc({ grant, kind });
      }
    });
    // Signing out of an app signs the browser out of Foyer too (like Entra): its session cookie and row go.
    provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
      const value = ctx.cookies.get(SESSION_COOKIE, { signed: false });
      ctx.cookies.set(SESSION_COOKIE, null, { path: '/', signed: false });
      endSessionByCookieValue(this.services, value).catch((error: unknown) => {
        this.log.error({ err: error }, 'could not delete a browser session at logout');
      });
    });
    provider.on('server_error', (_ctx: unknown, error: Error) => {
      this.log.error({ err: error, issuer: provider.issuer }, 'oidc-provider server error');
    });
    // Koa's own error event (errors outside oidc-provider's handlers); without a listener Koa prints to stderr.
    provider.on('error', (error: Error) => {
      this.log.error({ err: error, issuer: provider.issuer }, 'oidc-provider error');
    });
  }
}
