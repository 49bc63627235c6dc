import { generateKeyPair as generateKeyPairCallback } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import type { Services } from '../app/services.js';
import { isUniqueViolation } from '../db/errors.js';
import { FoyerError } from '../errors/catalogue.js';
import { loadJose } from '../platform/lazy.js';
import { findTenantById } from '../tenants/store.js';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js';
import { retiredKeyRetentionSeconds } from './lifetimes.js';
import {
  insertSigningKey,
  listSigningKeyStates,
  listSigningKeys,
  listSigningKeysInUse,
  retireCurrentSigningKey,
  type SigningKeyRow,
} from './store.js';

/**
 * Per-tenant token signing keys: RS256, generated on first use, stored with the private half encrypted,
 * rotated by `foyer keys rotate`.
 *
 * Rotation in three steps, so that no relying party ever meets a `kid` it has not seen in the JWKS:
 * 1. `foyer keys rotate` inserts the new key (published at once) and schedules the old one's retirement at
 *    now + FOYER_KEY_ROTATION_GRACE_SECONDS (`retired_at` in the future). Until then the old key still signs.
 * 2. At `retired_at` the new key starts signing. Every instance has noticed the new key by then (they check
 *    every SIGNING_KEY_CACHE_SECONDS, and the grace period is longer), and relying parties that fetched the
 *    JWKS during the grace period already hold it.
 * 3. The retired key stays published until every token it signed has expired (retiredKeyRetentionSeconds).
 */

export const SIGNING_ALG = 'RS256';

type KeyServices = Pick<Services, 'db' | 'config' | 'clock'>;

export interface TenantSigningKeys {
  /** Private JWKs for oidc-provider's `jwks` option: the signing key first, then the others still published. */
  privateJwks: JWK[];
  /** The key that signs now (first in privateJwks): during a rotation's grace period, still the old one. */
  currentKid: string;
  /** Changes whenever the published set or the signing key changes. */
  version: string;
}

const generateKeyPair = promisify(generateKeyPairCallback);

type KeyState = Pick<SigningKeyRow, 'kid' | 'retired_at'>;

/**
 * The key that signs at `now`: a key whose retirement is scheduled but not yet due keeps signing (the earliest
 * such one, when rotations overlap); otherwise the current key (retired_at null).
 */
function signingRow<T extends KeyState>(rows: readonly T[], now: Date): T | undefined {
  const scheduled = rows
    .filter((row) => row.retired_at !== null && Date.parse(row.retired_at) > now.getTime())
    .sort((a, b) => Date.parse(a.retired_at!) - Date.parse(b.retired_at!));
  return scheduled[0] ?? rows.find((row) => row.retired_at === null);
}

/** Rows still published at `now`: the signing key first, then the current key, then the others newest first. */
function publishedRows<T extends KeyState>(
  rows: readonly T[],
  now: Date,
  config: KeyServices['config'],
): T[] {
  const cutoff = now.getTime() - retiredKeyRetentionSeconds(config) * 1000;
  const signing = signingRow(rows, now);
  const current = rows.filter((row) => row.retired_at === null && row !== signing);
  const others = rows
    .filter((row) => row !== signing && row.retired_at !== null && Date.parse(row.retired_at) > cutoff)
    .sort((a, b) => Date.parse(b.retired_at!) - Date.parse(a.retired_at!));
  return [...(signing ? [signing] : []), ...current, ...others];
}

/** Changes whenever the published set or the signing key changes (a rotation, a grace period ending, an expiry). */
function versionOf(rows: readonly KeyState[], now: Date): string {
  const signing = signingRow(rows, now);
  return rows.map((row) => `${row.kid}:${row === signing ? 'signing' : 'published'}`).join(',');
}

const aad = (tenantId: string, kid: string) => `oidc_signing_keys:${tenantId}:${kid}`;

async function newSigningKeyRow(services: KeyServices, tenantId: string): Promise<SigningKeyRow> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const { calculateJwkThumbprint } = await loadJose();
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
  const now = services.clock.now();
  const published = publishedRows(rows, now, services.config);
  const signing = published[0];
  if (!signing) throw new Error(`Tenant ${tenantId} has no signing key.`);
  return {
    privateJwks: published.map(
      (row) =>
        JSON.parse(
          decryptPrivateKey(services.config.secret, aad(tenantId, row.kid), row.private_jwk_encrypted),
        ) as JWK,
    ),
    currentKid: signing.kid,
    version: versionOf(published, now),
  };
}

/** The published set's version without decrypting anything: one small indexed query, run on a short TTL. */
export async function signingKeysVersion(services: KeyServices, tenantId: string): Promise<string> {
  const rows = await listSigningKeyStates(services.db, tenantId);
  const now = services.clock.now();
  return versionOf(publishedRows(rows, now, services.config), now);
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

export interface Rotation {
  /** The new key: published now, signing from `signsFrom`. */
  kid: string;
  /** The keys it replaces: they keep signing until `signsFrom`, and stay published after that. */
  retiredKids: string[];
  signsFrom: string;
}

/**
 * `foyer keys rotate`: a new key for the tenant, published at once and signing after the grace period (see the
 * top of this file). Providers in this process publish it at once; other instances within
 * SIGNING_KEY_CACHE_SECONDS, well inside the grace period.
 */
export async function rotateSigningKeys(services: KeyServices, tenantId: string): Promise<Rotation> {
  if (!(await findTenantById(services.db, tenantId)))
    throw new FoyerError('notFound', `Tenant '${tenantId}' not found.`);
  const row = await newSigningKeyRow(services, tenantId);
  const signsFrom = new Date(
    services.clock.now().getTime() + services.config.keyRotationGraceSeconds * 1000,
  ).toISOString();
  const retiredKids = await services.db.transaction().execute(async (trx) => {
    const retired = await retireCurrentSigningKey(trx, tenantId, signsFrom);
    await insertSigningKey(trx, row);
    return retired;
  });
  rotationCounts.set(services.db, signingKeyRotations(services.db) + 1);
  for (const listener of rotationListeners.get(services.db) ?? []) listener(tenantId);
  return { kid: row.kid, retiredKids, signsFrom };
}

/**
 * Instance-level start-up check: whether FOYER_SECRET decrypts every key still in use. A changed secret would
 * otherwise start "ready" and then answer 500 to every token request. Returns a message naming the problem, or
 * undefined when every key decrypts (or none exists yet).
 */
export async function signingKeysProblem(services: KeyServices): Promise<string | undefined> {
  const cutoff = new Date(
    services.clock.now().getTime() - retiredKeyRetentionSeconds(services.config) * 1000,
  ).toISOString();
  const rows = await listSigningKeysInUse(services.db, cutoff);
  const unreadable = new Set<string>();
  for (const row of rows) {
    try {
      decryptPrivateKey(services.config.secret, aad(row.tenant_id, row.kid), row.private_jwk_encrypted);
    } catch {
      unreadable.add(row.tenant_id);
    }
  }
  if (unreadable.size === 0) return undefined;
  const tenants = [...unreadable];
  return (
    `FOYER_SECRET does not decrypt the signing keys of ${tenants.length} tenant(s) ` +
    `(${tenants.slice(0, 3).join(', ')}${tenants.length > 3 ? ', …' : ''}): it is not the secret they were ` +
    'encrypted with. Start with the previous FOYER_SECRET (every instance needs the same one).'
  );
}
