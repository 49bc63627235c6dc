import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import type { AccessTokenClaims } from '../oidc/verify.js';
import { guestRoles } from '../policies/schemas.js';
import { getAuthorizationPolicy } from '../policies/service.js';
import type { AppPrincipal, GuestAccess, Principal, UserPrincipal } from './principal.js';
import { findApplicationStanding, findUserStanding } from './store.js';

/**
 * How long what the directory said about a caller (an app's grants and credentials, a user's roles and
 * accountEnabled, the guest access level) is reused. 30 s, so that a deleted application, a removed secret, a
 * revoked permission or a disabled user stops working at the API within 30 s on every instance — within the
 * 60 s the product promises. Changes made through this process are seen at once (invalidatePrincipals).
 */
export const PRINCIPAL_CACHE_MS = 30_000;
const MAX_CACHED = 10_000;

type Standing =
  | { kind: 'app'; app: Awaited<ReturnType<typeof findApplicationStanding>> }
  | {
      kind: 'user';
      user: Awaited<ReturnType<typeof findUserStanding>>;
      guestAccess: GuestAccess;
    };

interface Cached {
  standing: Standing;
  loadedAt: number;
  epoch: number;
}

const epochs = new WeakMap<object, number>();
const caches = new WeakMap<object, Map<string, Cached>>();

/**
 * Call after any change that can take access away (credentials, grants, deletion, accountEnabled, roles, the
 * guest access level): this process forgets what it knew about every caller of the database.
 */
export function invalidatePrincipals(db: Services['db']): void {
  epochs.set(db, (epochs.get(db) ?? 0) + 1);
}

/** How many times this process has invalidated: other caches of the directory (oidc/clients.ts) compare it. */
export function principalsEpoch(db: Services['db']): number {
  return epochs.get(db) ?? 0;
}

const guestAccessOf = (roleId: string): GuestAccess =>
  roleId === guestRoles.sameAsMembers
    ? 'sameAsMembers'
    : roleId === guestRoles.restricted
      ? 'restricted'
      : 'limited';

async function load(services: Services, claims: AccessTokenClaims): Promise<Standing> {
  if (claims.kind === 'app') {
    return { kind: 'app', app: await findApplicationStanding(services.db, claims.tenantId, claims.objectId) };
  }
  const user = await findUserStanding(services.db, claims.tenantId, claims.objectId);
  const guestAccess =
    user?.user_type === 'Guest'
      ? guestAccessOf((await getAuthorizationPolicy(services.db, claims.tenantId)).guestUserRoleId)
      : 'sameAsMembers';
  return { kind: 'user', user, guestAccess };
}

async function standingOf(services: Services, claims: AccessTokenClaims): Promise<Standing> {
  let cache = caches.get(services.db);
  if (!cache) {
    cache = new Map();
    caches.set(services.db, cache);
  }
  const key = `${claims.tenantId}:${claims.kind}:${claims.objectId}`;
  const now = services.clock.now().getTime();
  const epoch = epochs.get(services.db) ?? 0;
  const hit = cache.get(key);
  if (hit && hit.epoch === epoch && now - hit.loadedAt < PRINCIPAL_CACHE_MS) return hit.standing;
  const standing = await load(services, claims);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, { standing, loadedAt: now, epoch });
  return standing;
}

const revoked = (reason: string) => new FoyerError('unauthenticated', reason);

/**
 * The principal behind a verified access token, checked against the directory as it is now: the application
 * must still exist and the token must postdate its last secret removal; the user must still exist and be
 * enabled. Permissions are the token's, narrowed to what is still granted; roles are read, never trusted.
 */
export async function principalFromClaims(
  services: Services,
  claims: AccessTokenClaims,
  ipAddress: string,
): Promise<Principal> {
  const standing = await standingOf(services, claims);
  if (standing.kind === 'app') {
    const { app } = standing;
    if (!app) throw revoked('The application of this token no longer exists.');
    const issuedAt = (claims.raw.iat ?? 0) * 1000;
    // iat has a one-second grain: a token from the very second of a removal is refused too (the app asks again).
    if (app.tokens_valid_after && issuedAt <= Date.parse(app.tokens_valid_after)) {
      throw revoked("The token was issued before one of the application's secrets was removed.");
    }
    const principal: AppPrincipal = {
      kind: 'app',
      tenantId: claims.tenantId,
      objectId: app.id,
      appId: claims.appId,
      permissions: claims.roles.filter((role) => app.permissions.includes(role)),
      displayName:
        typeof claims.raw.app_displayname === 'string' ? claims.raw.app_displayname : app.display_name,
      ipAddress,
    };
    return principal;
  }
  const { user, guestAccess } = standing;
  if (!user) throw revoked('The user of this token no longer exists.');
  if (user.account_enabled !== 1) throw revoked('The user account is disabled.');
  const principal: UserPrincipal = {
    kind: 'user',
    tenantId: claims.tenantId,
    objectId: user.id,
    appId: claims.appId,
    scopes: claims.scopes,
    directoryRoles: user.roles,
    userType: user.user_type,
    guestAccess,
    displayName: user.display_name,
    userPrincipalName: user.user_principal_name,
    ipAddress,
  };
  return principal;
}
