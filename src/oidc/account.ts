import type { Account, KoaContextWithOIDC } from 'oidc-provider';
import type { Services } from '../app/services.js';
import { issuerOf } from '../platform/issuer.js';
import { findUserWithGroupIds, identitiesByUser, type UserRow } from '../users/store.js';

/** Groups travel in tokens up to this many ids, as Entra's `groups` claim does before it overflows. */
const MAX_GROUP_CLAIMS = 200;

/**
 * The B2B claims of PRODUCT §2 for a user of the tenant: `idp` is where the person signs in — the tenant's own
 * issuer for a member, the issuer of the bound home identity for a guest — and `acct` says member (0) or guest (1).
 */
export async function userClaims(services: Services, tenantId: string, user: UserRow, groups: string[]) {
  const identities =
    user.user_type === 'Guest' ? await identitiesByUser(services.db, tenantId, [user.id]) : undefined;
  const home = identities?.get(user.id)?.[0];
  return {
    tid: tenantId,
    oid: user.id,
    idp: home?.issuer ?? issuerOf(services.config.baseUrl, tenantId),
    acct: user.user_type === 'Guest' ? 1 : 0,
    name: user.display_name,
    // Entra gives a guest's home sign-in name here; a member's is its UPN.
    preferred_username:
      user.user_type === 'Guest' ? (user.mail ?? user.user_principal_name) : user.user_principal_name,
    email: user.mail ?? undefined,
    ...(groups.length > 0 && { groups: groups.slice(0, MAX_GROUP_CLAIMS) }),
  };
}

/** Seconds since the epoch of an ISO time, or 0 when there is none. */
const epochSeconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

/**
 * Whether a session or token comes from a sign-in before the user's signInSessionsValidFromDateTime. Tokens
 * carry the time of the sign-in they descend from (`authTime`: a code and every refresh token of its chain), the
 * provider's session its `loginTs`. Times have one-second precision: a sign-in of the revocation's very second
 * counts as newer, so that signing in right after a password reset works.
 */
function revoked(
  user: UserRow,
  ctx: KoaContextWithOIDC,
  token: { iat?: number; authTime?: number } | undefined,
): boolean {
  const validFrom = epochSeconds(user.sign_in_sessions_valid_from);
  if (validFrom === 0) return false;
  const signedInAt = token ? (token.authTime ?? token.iat) : ctx.oidc.session?.loginTs;
  return signedInAt !== undefined && signedInAt < validFrom;
}

/**
 * oidc-provider's findAccount over the users store. An account is gone when the user is deleted or disabled, and
 * a session or refresh token is dead when it predates the user's signInSessionsValidFromDateTime (set by a
 * password reset, revokeSignInSessions or a reset redemption).
 */
export function accountFinder(services: Services, tenantId: string) {
  return async (
    ctx: KoaContextWithOIDC,
    sub: string,
    token?: { iat?: number; authTime?: number },
  ): Promise<Account | undefined> => {
    const found = await findUserWithGroupIds(services.db, tenantId, sub);
    if (found?.user.account_enabled !== 1 || revoked(found.user, ctx, token)) {
      // A browser session of an account that is gone or revoked must lead back to sign-in: oidc-provider's login
      // prompt asks for one only when the session names no account.
      if (token === undefined && ctx.oidc.session) Reflect.deleteProperty(ctx.oidc.session, 'accountId');
      return undefined;
    }
    return directoryAccount(services, tenantId, found.user, found.groupIds);
  };
}

/** An account whose B2B claims are read once, however many tokens of one request carry them. */
export interface DirectoryAccount extends Account {
  b2bClaims(): Promise<Awaited<ReturnType<typeof userClaims>>>;
}

function directoryAccount(
  services: Services,
  tenantId: string,
  user: UserRow,
  groupIds: string[],
): DirectoryAccount {
  let claims: ReturnType<typeof userClaims> | undefined;
  const b2bClaims = () => {
    claims ??= userClaims(services, tenantId, user, groupIds);
    return claims;
  };
  return { accountId: user.id, b2bClaims, claims: async () => ({ sub: user.id, ...(await b2bClaims()) }) };
}

/**
 * The B2B claims of the token's account: those the request's account already read (the ID token and the access
 * token of one exchange share them), else read now.
 */
export async function claimsForToken(
  services: Services,
  tenantId: string,
  account: Account | undefined,
  accountId: string,
) {
  if (account?.accountId === accountId && 'b2bClaims' in account)
    return (account as DirectoryAccount).b2bClaims();
  const found = await findUserWithGroupIds(services.db, tenantId, accountId);
  return found ? userClaims(services, tenantId, found.user, found.groupIds) : { tid: tenantId };
}
