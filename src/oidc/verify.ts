import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { issuerOf } from '../platform/issuer.js';
import { loadJose } from '../platform/lazy.js';
import { publishedPublicJwks, SIGNING_ALG, signingKeyRotations } from './keys.js';

export interface AccessTokenClaims {
  tenantId: string;
  objectId: string;
  appId: string;
  kind: 'app' | 'user';
  roles: string[];
  scopes: string[];
  raw: JWTPayload;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Published keys are re-read at least this often (a retired key ageing out of the JWKS). */
const KEYS_TTL_MS = 5 * 60_000;
/**
 * A token signed with a kid we do not know triggers a re-read (a rotation on another instance), at most this
 * often per tenant, so tokens with made-up kids cannot turn into a query each. Rotations made in this process
 * are noticed at once (signingKeyRotations).
 */
const UNKNOWN_KID_RELOAD_MS = 1_000;
const EMPTY_KEYS_RELOAD_MS = 250;
const MAX_CACHED_TENANTS = 1_000;
/** Instances' clocks differ a little; tokens live an hour, so a few seconds of leeway costs nothing. */
const CLOCK_TOLERANCE_SECONDS = 5;

interface TenantKeys {
  kids: Set<string>;
  keySet: JWTVerifyGetKey;
  loadedAt: number;
  rotations: number;
}

const unauthenticated = (reason: string, cause?: unknown) =>
  new FoyerError('unauthenticated', reason, cause === undefined ? {} : { cause });

function explain(error: unknown, { errors }: typeof import('jose')): FoyerError {
  if (error instanceof errors.JWTExpired)
    return unauthenticated('Lifetime validation failed, the token is expired.', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return unauthenticated('Invalid audience: the token was not issued for this API.', error);
      case 'iss':
        return unauthenticated("Invalid issuer: the token's issuer does not match its tenant.", error);
      case 'nbf':
      case 'iat':
        return unauthenticated('Lifetime validation failed, the token is not yet valid.', error);
      case 'typ':
        return unauthenticated('The token is not an access token.', error);
      default:
        return unauthenticated(`Invalid token claim '${error.claim}'.`, error);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthenticated('Signature validation failed: bad signature.', error);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthenticated('Signature validation failed: the token was signed with an unknown key.', error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return unauthenticated(`Signature validation failed: only ${SIGNING_ALG} tokens are accepted.`, error);
  }
  return unauthenticated('The access token is malformed.', error);
}

function toClaims(payload: JWTPayload, tenantId: string): AccessTokenClaims {
  const { oid, azp, appid, roles, scp, idtyp } = payload as Record<string, unknown>;
  if (typeof oid !== 'string') throw unauthenticated('The access token has no oid claim.');
  const appId = typeof azp === 'string' ? azp : typeof appid === 'string' ? appid : undefined;
  if (!appId) throw unauthenticated('The access token has no azp claim.');
  return {
    tenantId,
    objectId: oid,
    appId,
    kind: idtyp === 'app' ? 'app' : 'user',
    roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    scopes: typeof scp === 'string' ? scp.split(' ').filter(Boolean) : [],
    raw: payload,
  };
}

/**
 * Verifies the directory API's bearer tokens: RS256 JWTs issued by a tenant of this instance (`tid`), signed
 * with one of that tenant's published keys, for the audience `{base}`, not expired by `services.clock`.
 * Public keys are cached per tenant, so a warm verification touches no database. Create one per app.
 */
export function createTokenVerifier(services: Services): {
  verify(bearer: string): Promise<AccessTokenClaims>;
} {
  const cache = new Map<string, Promise<TenantKeys>>();
  const audience = services.config.baseUrl;

  async function load(tenantId: string): Promise<TenantKeys> {
    const rotations = signingKeyRotations(services.db);
    const [keys, { createLocalJWKSet }] = await Promise.all([
      publishedPublicJwks(services, tenantId),
      loadJose(),
    ]);
    return {
      kids: new Set(keys.map((key) => key.kid).filter((kid): kid is string => typeof kid === 'string')),
      keySet: createLocalJWKSet({ keys }),
      loadedAt: Date.now(),
      rotations,
    };
  }

  async function keysFor(tenantId: string, kid: string | undefined): Promise<TenantKeys> {
    const pending = cache.get(tenantId);
    if (pending) {
      const keys = await pending.catch(() => undefined);
      const age =
        keys && keys.rotations === signingKeyRotations(services.db)
          ? Date.now() - keys.loadedAt
          : Number.POSITIVE_INFINITY;
      const unknownKid = keys !== undefined && (kid === undefined || !keys.kids.has(kid));
      // A tenant with no key yet gets its first one when its provider starts: look again soon, not in 5 s.
      const reloadAfter = keys?.kids.size === 0 ? EMPTY_KEYS_RELOAD_MS : UNKNOWN_KID_RELOAD_MS;
      if (keys && age < KEYS_TTL_MS && !(unknownKid && age > reloadAfter)) return keys;
    }
    const reload = load(tenantId);
    if (cache.size >= MAX_CACHED_TENANTS) cache.clear();
    cache.set(tenantId, reload);
    return reload;
  }

  return {
    async verify(bearer: string): Promise<AccessTokenClaims> {
      const jose = await loadJose();
      let kid: string | undefined;
      let tid: unknown;
      try {
        kid = jose.decodeProtectedHeader(bearer).kid;
        tid = jose.decodeJwt(bearer).tid;
      } catch (error) {
        throw unauthenticated('The access token is malformed: not a signed JWT.', error);
      }
      if (typeof tid !== 'string' || !UUID.test(tid))
        throw unauthenticated('The access token has no valid tid claim.');
      const tenantId = tid.toLowerCase();
      const keys = await keysFor(tenantId, kid);
      if (keys.kids.size === 0) throw unauthenticated("The token's tenant is not a tenant of this instance.");
      let payload: JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(bearer, keys.keySet, {
          issuer: issuerOf(services.config.baseUrl, tenantId),
          audience,
          algorithms: [SIGNING_ALG],
          typ: 'at+jwt',
          currentDate: services.clock.now(),
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'iat'],
        }));
      } catch (error) {
        throw explain(error, jose);
      }
      return toClaims(payload, tenantId);
    },
  };
}
