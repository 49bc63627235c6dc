import { generateKeyPair as generateKeyPairCallback } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Services } from '../app/services.js';
import { isUniqueViolation } from '../db/errors.js';
import { FoyerError } from '../errors/catalogue.js';
import { findTenantById } from '../tenants/store.js';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js';
import { retiredKeyRetentionSeconds } from './lifetimes.js';
import {
  insertSigningKey,
  listSigningKeyStates,
  listSigningKeys,
  retireCurrentSigningKey,
  type SigningKeyRow,
} from './store.js';

/**
 * Per-tenant token signing keys: RS256, generated on first use, stored with the private half encrypted,
 * rotated by `foyer keys rotate`. A retired key stays published in the JWKS until every token it signed has
 * expired, so rotation never breaks a token in flight.
 */

export const SIGNING_ALG = 'RS256';

type KeyServices = Pick<Services, 'db' | 'config' | 'clock'>;

export interface TenantSigningKeys {
  /** Private JWKs for oidc-provider's `jwks` option: the current key first, then the retired ones still published. */
  privateJwks: JWK[];
  currentKid: string;
  /** Changes whenever the published set changes (a rotation, or a retired key ageing out of the JWKS). */
  version: string;
}

const generateKeyPair = promisify(generateKeyPairCallback);

/** Rows still published at `now`, the current key first, then retired keys newest first. */
function publishedRows<T extends Pick<SigningKeyRow, 'kid' | 'retired_at'>>(
  rows: readonly T[],
  now: Date,
  config: KeyServices['config'],
): T[] {
  const cutoff = now.getTime() - retiredKeyRetentionSeconds(config) * 1000;
  const current = rows.filter((row) => row.retired_at === null);
  const retired = rows
    .filter((row) => row.retired_at !== null && Date.parse(row.retired_at) > cutoff)
    .sort((a, b) => Date.parse(b.retired_at!) - Date.parse(a.retired_at!));
  return [...current, ...retired];
}

function versionOf(rows: readonly Pick<SigningKeyRow, 'kid' | 'retired_at'>[]): string {
  return rows.map((row) => `${row.kid}:${row.retired_at === null ? 'current' : 'retired'}`).join(',');
}

const aad = (tenantId: string, kid: string) => `oidc_signing_keys:${tenantId}:${kid}`;

async function newSigningKeyRow(services: KeyServices, tenantId: string): Promise<SigningKeyRow> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: SIGNING_ALG, use: 'sig' };
  return {
    tenant_id: tenantId,
    kid,
    alg: SIGNING_ALG,
    public_jwk: JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' }),
    private_jwk_encrypted: encryptPrivateKey(
      services.config.secret,
      aad(tenantId, kid),
      JSON.stringify(privateJwk),
    ),
    created_at: services.clock.now().toISOString(),
    retired_at: null,
  };
}

/**
 * The tenant's keys for its provider; the first key is generated here on first use. Two instances doing so at
 * once are arbitrated by the one-current-key unique index: the loser reads the winner's key.
 */
export async function loadTenantSigningKeys(
  services: KeyServices,
  tenantId: string,
): Promise<TenantSigningKeys> {
  let rows = await listSigningKeys(services.db, tenantId);
  if (!rows.some((row) => row.retired_at === null)) {
    try {
      await insertSigningKey(services.db, await newSigningKeyRow(services, tenantId));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    rows = await listSigningKeys(services.db, tenantId);
  }
  const published = publishedRows(rows, services.clock.now(), services.config);
  const current = published[0];
  if (!current || current.retired_at !== null)
    throw new Error(`Tenant ${tenantId} has no current signing key.`);
  return {
    privateJwks: published.map(
      (row) =>
        JSON.parse(
          decryptPrivateKey(services.config.secret, aad(tenantId, row.kid), row.private_jwk_encrypted),
        ) as JWK,
    ),
    currentKid: current.kid,
    version: versionOf(published),
  };
}

/** The published set's version without decrypting anything: one small indexed query, run on a short TTL. */
export async function signingKeysVersion(services: KeyServices, tenantId: string): Promise<string> {
  const rows = await listSigningKeyStates(services.db, tenantId);
  return versionOf(publishedRows(rows, services.clock.now(), services.config));
}

/** Public JWKs of the published keys, for token verification. Never generates a key. */
export async function publishedPublicJwks(services: KeyServices, tenantId: string): Promise<JWK[]> {
  const rows = await listSigningKeys(services.db, tenantId);
  return publishedRows(rows, services.clock.now(), services.config).map(
    (row) => JSON.parse(row.public_jwk) as JWK,
  );
}

type RotationListener = (tenantId: string) => void;
const rotationListeners = new WeakMap<object, Set<RotationListener>>();
const rotationCounts = new WeakMap<object, number>();

/** How many rotations this process has made on this database: caches compare it to notice one cheaply. */
export function signingKeyRotations(db: KeyServices['db']): number {
  return rotationCounts.get(db) ?? 0;
}

/** Lets the provider cache of this process drop a tenant's provider as soon as its keys rotate. */
export function onSigningKeysRotated(db: KeyServices['db'], listener: RotationListener): () => void {
  let listeners = rotationListeners.get(db);
  if (!listeners) {
    listeners = new Set();
    rotationListeners.set(db, listeners);
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * `foyer keys rotate`: a new current key for the tenant; the previous one is retired but stays published for
 * the longest token lifetime. Providers in this process switch at once; other instances within their key-check
 * interval (src/oidc/providers.ts).
 */
export async function rotateSigningKeys(
  services: KeyServices,
  tenantId: string,
): Promise<{ kid: string; retiredKids: string[] }> {
  if (!(await findTenantById(services.db, tenantId)))
    throw new FoyerError('notFound', `Tenant '${tenantId}' not found.`);
  const row = await newSigningKeyRow(services, tenantId);
  const retiredKids = await services.db.transaction().execute(async (trx) => {
    const retired = await retireCurrentSigningKey(trx, tenantId, row.created_at);
    await insertSigningKey(trx, row);
    return retired;
  });
  rotationCounts.set(services.db, signingKeyRotations(services.db) + 1);
  for (const listener of rotationListeners.get(services.db) ?? []) listener(tenantId);
  return { kid: row.kid, retiredKids };
}
