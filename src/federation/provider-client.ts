import type * as OpenidClient from 'openid-client';
import type { ResolvedConfig, Services } from '../app/services.js';
import { decryptAtRest, encryptAtRest } from '../oidc/key-encryption.js';
import { loadOpenidClient } from '../platform/lazy.js';
import { OutboundRefused, outboundOptions } from './outbound.js';
import type { IdentityProviderRow } from './store.js';

/**
 * Foyer as a relying party of a tenant's identity provider, with openid-client: discovery from the provider's
 * metadata, and the client secret kept encrypted at rest under FOYER_SECRET (the signing keys' scheme, its own
 * purpose, bound to the tenant and provider so a ciphertext moved to another row does not decrypt).
 */

const SECRET_PURPOSE = 'foyer/federation/client-secret/v1';
const WELL_KNOWN = '/.well-known/openid-configuration';

export const sealClientSecret = (config: ResolvedConfig, tenantId: string, id: string, secret: string) =>
  encryptAtRest(config.secret, SECRET_PURPOSE, `${tenantId}:${id}`, secret);

const openClientSecret = (config: ResolvedConfig, row: IdentityProviderRow) =>
  decryptAtRest(config.secret, SECRET_PURPOSE, `${row.tenant_id}:${row.id}`, row.client_secret_encrypted);

/** The one redirect URI of this instance, to register at every provider (the state names the provider). */
export const callbackUrlOf = (baseUrl: string) => `${baseUrl}/federation/callback`;

/** The Google preset's metadata: its issuer (FOYER_GOOGLE_ISSUER in tests) and discovery document. */
export const googleMetadataUrl = (config: ResolvedConfig) => `${config.googleIssuer}${WELL_KNOWN}`;

/** Why metadata cannot be used, in words an administrator can act on. */
export class MetadataProblem extends Error {
  override name = 'MetadataProblem';
}

const reasonOf = (error: unknown): string => {
  if (error instanceof OutboundRefused) return error.message;
  const cause = error instanceof Error ? (error.cause as { message?: string } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.message && cause.message !== message ? `${message} (${cause.message})` : message;
};

/**
 * Fetches and checks a provider's metadata (OpenID Connect Discovery §4.3): its `issuer` is the URL the document
 * is published under (or the one the preset expects), and the endpoints a code flow needs are there.
 */
export async function checkMetadata(
  config: ResolvedConfig,
  metadataUrl: string,
  expectedIssuer?: string,
): Promise<{ issuer: string }> {
  const client = await loadOpenidClient();
  let discovered: OpenidClient.Configuration;
  try {
    discovered = await client.discovery(
      new URL(metadataUrl),
      'metadata-check',
      undefined,
      undefined,
      await outboundOptions(config),
    );
  } catch (error) {
    throw new MetadataProblem(`The metadata at ${metadataUrl} could not be read: ${reasonOf(error)}.`);
  }
  const metadata = discovered.serverMetadata();
  const issuer = metadata.issuer;
  const expected = expectedIssuer ?? metadataUrl.slice(0, -WELL_KNOWN.length);
  if (issuer.replace(/\/+$/, '') !== expected.replace(/\/+$/, '')) {
    throw new MetadataProblem(
      `The metadata at ${metadataUrl} names the issuer ${issuer}, not ${expected}: it must be published under its own issuer.`,
    );
  }
  const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter(
    (name) => typeof metadata[name] !== 'string',
  );
  if (missing.length > 0) {
    throw new MetadataProblem(`The metadata at ${metadataUrl} has no ${missing.join(', ')}.`);
  }
  if (metadata.response_types_supported && !metadata.response_types_supported.includes('code')) {
    throw new MetadataProblem(`The provider at ${metadataUrl} does not support the authorization code flow.`);
  }
  return { issuer };
}

/**
 * Seconds a provider's discovery document is reused. A redemption or sign-in needs it twice (the redirect, then
 * the callback), and every sign-in of a partner's guests needs the same one; a provider that moves its endpoints
 * is followed within this time. Any change to the provider (PATCH) sets `updated_at`, which is part of the key, so
 * an edit takes effect at once on every instance; a failed discovery is never kept.
 */
export const DISCOVERY_CACHE_SECONDS = 300;

interface CachedDiscovery {
  version: string;
  expiresAt: number;
  metadata: OpenidClient.ServerMetadata;
  /** The provider's JWKS as openid-client last fetched it (it refetches by its own rules: age, unknown key). */
  keys?: NonNullable<ReturnType<typeof OpenidClient.getJwksCache>>;
}

// Per instance (Services), per provider id: no state shared between the apps a process may hold (tests).
const discoveries = new WeakMap<Services, Map<string, CachedDiscovery>>();

const versionOf = (row: IdentityProviderRow) => `${row.updated_at} ${row.metadata_url}`;

/** The provider's metadata, from the cache while it is fresh and the provider unchanged. */
async function discoveredMetadata(services: Services, row: IdentityProviderRow): Promise<CachedDiscovery> {
  const cache = discoveries.get(services) ?? new Map<string, CachedDiscovery>();
  discoveries.set(services, cache);
  const now = services.clock.now().getTime();
  const cached = cache.get(row.id);
  if (cached && cached.version === versionOf(row) && cached.expiresAt > now) return cached;
  const client = await loadOpenidClient();
  const discovered = await client.discovery(
    new URL(row.metadata_url),
    row.client_id,
    undefined,
    undefined,
    await outboundOptions(services.config),
  );
  const metadata = { ...discovered.serverMetadata() };
  for (const [id, entry] of cache) if (entry.expiresAt <= now) cache.delete(id);
  const entry = { version: versionOf(row), expiresAt: now + DISCOVERY_CACHE_SECONDS * 1000, metadata };
  cache.set(row.id, entry);
  return entry;
}

/** Keeps the JWKS a successful sign-in fetched, for the next sign-ins while the metadata is cached. */
export async function keepProviderKeys(
  services: Services,
  row: IdentityProviderRow,
  configuration: OpenidClient.Configuration,
) {
  const entry = discoveries.get(services)?.get(row.id);
  const keys = (await loadOpenidClient()).getJwksCache(configuration);
  if (entry && keys && entry.version === versionOf(row)) entry.keys = keys;
}

/** Drops a provider's cached metadata (it was changed or deleted here). */
export function forgetDiscovery(services: Services, providerId: string): void {
  discoveries.get(services)?.delete(providerId);
}

/** A relying-party configuration for one provider; throws when discovery fails (the provider is down). */
export async function relyingPartyOf(services: Services, row: IdentityProviderRow) {
  const { metadata, keys } = await discoveredMetadata(services, row);
  // The metadata may have changed since it was checked: tokens are only trusted from the issuer guests are bound to.
  if (metadata.issuer !== row.issuer) {
    throw new MetadataProblem(`The provider now names the issuer ${metadata.issuer}.`);
  }
  const client = await loadOpenidClient();
  const configuration = new client.Configuration(
    metadata,
    row.client_id,
    { redirect_uris: [callbackUrlOf(services.config.baseUrl)] },
    client.ClientSecretPost(openClientSecret(services.config, row)),
  );
  const options = await outboundOptions(services.config);
  configuration[client.customFetch] = options[client.customFetch];
  configuration.timeout = options.timeout;
  for (const step of options.execute ?? []) step(configuration);
  // openid-client skips the ID token's signature when the token comes straight from the token endpoint (TLS
  // vouches for the issuer, OIDC Core §3.1.3.7). Issue 9 asks for a signature by a key of the provider's JWKS all
  // the same: it is what the guest's binding rests on, and a token endpoint is only as safe as its TLS setup.
  client.enableNonRepudiationChecks(configuration);
  if (keys) client.setJwksCache(configuration, keys);
  return configuration;
}
