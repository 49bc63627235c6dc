import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import type { UserPrincipal } from '../auth/principal.js';
import { principalFromClaims } from '../auth/resolve.js';
import { isFoyerError } from '../errors/catalogue.js';
import { hashSecret } from '../platform/secrets.js';
import { cookieOptions } from '../web/cookies.js';

/**
 * A browser's sign-in to a tenant's console or My Apps. One random cookie per browser; one row per tenant it
 * signed in to (a guest of several organisations switches without losing the others). Only the keyed hash of
 * the cookie is stored, so a database read does not give anyone a session.
 */
export const PORTAL_COOKIE = 'foyer_portal';
export const PORTAL_SESSION_SECONDS = 8 * 3600;

/**
 * The directory permissions the console asks for on the person's behalf. Like Entra's own portal, it acts with
 * everything the signed-in person may do: the person's roles (src/auth/rights.ts), checked by the same services
 * as the API, decide what actually happens.
 */
const PORTAL_SCOPES = [
  'User.Read',
  'User.ReadBasic.All',
  'User.Invite.All',
  'User.ReadWrite.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Application.ReadWrite.All',
  'Policy.ReadWrite.Authorization',
  'AuditLog.Read.All',
  'Directory.ReadWrite.All',
  'IdentityProvider.ReadWrite.All',
  'UserAuthenticationMethod.ReadWrite.All',
];

const hashOf = (services: Services, id: string) => hashSecret(`portal:${id}`, services.config.secret);

export async function startPortalSession(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { tenantId: string; userId: string; idToken: string },
): Promise<void> {
  let id = request.cookies[PORTAL_COOKIE];
  if (!id || id.length > 100) {
    id = services.ids.token(32);
    reply.setCookie(PORTAL_COOKIE, id, cookieOptions(services.config));
  }
  const now = services.clock.now();
  // Expired sessions of any browser go as new ones start (indexed by expiry), so the table does not grow.
  await services.db.deleteFrom('portal_sessions').where('expires_at', '<', now.toISOString()).execute();
  const row = {
    id_hash: hashOf(services, id),
    tenant_id: input.tenantId,
    user_id: input.userId,
    id_token: input.idToken,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + PORTAL_SESSION_SECONDS * 1000).toISOString(),
  };
  await services.db
    .insertInto('portal_sessions')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['id_hash', 'tenant_id']).doUpdateSet({
        user_id: row.user_id,
        id_token: row.id_token,
        created_at: row.created_at,
        expires_at: row.expires_at,
      }),
    )
    .execute();
}

export interface PortalSession {
  principal: UserPrincipal;
  idToken: string;
}

/**
 * The signed-in person of this browser in this tenant, as a delegated-user principal; undefined when there is
 * none, it expired, the person's sessions were revoked after it began, or the account is gone or disabled.
 */
export async function portalSession(
  services: Services,
  request: FastifyRequest,
  tenantId: string,
  appId: string,
): Promise<PortalSession | undefined> {
  const id = request.cookies[PORTAL_COOKIE];
  if (!id || id.length > 100) return undefined;
  const row = await services.db
    .selectFrom('portal_sessions')
    .innerJoin('users', (join) =>
      join
        .onRef('users.tenant_id', '=', 'portal_sessions.tenant_id')
        .onRef('users.id', '=', 'portal_sessions.user_id'),
    )
    .select([
      'portal_sessions.user_id',
      'portal_sessions.id_token',
      'portal_sessions.created_at',
      'portal_sessions.expires_at',
      'users.sign_in_sessions_valid_from',
    ])
    .where('portal_sessions.id_hash', '=', hashOf(services, id))
    .where('portal_sessions.tenant_id', '=', tenantId)
    .executeTakeFirst();
  const now = services.clock.now().toISOString();
  if (!row || row.expires_at <= now) return undefined;
  // Revoked sessions (revokeSignInSessions, a password reset, a reset redemption) end the console's too.
  if (row.sign_in_sessions_valid_from && row.created_at < row.sign_in_sessions_valid_from) return undefined;
  try {
    const principal = await principalFromClaims(
      services,
      { tenantId, objectId: row.user_id, appId, kind: 'user', roles: [], scopes: PORTAL_SCOPES, raw: {} },
      request.ip,
    );
    return principal.kind === 'user' ? { principal, idToken: row.id_token } : undefined;
  } catch (error) {
    if (isFoyerError(error) && error.key === 'unauthenticated') return undefined;
    throw error;
  }
}

/** Ends this browser's session in the tenant; its ID token, for the provider's logout hint. */
export async function endPortalSession(
  services: Services,
  request: FastifyRequest,
  tenantId: string,
): Promise<string | undefined> {
  const id = request.cookies[PORTAL_COOKIE];
  if (!id || id.length > 100) return undefined;
  const row = await services.db
    .deleteFrom('portal_sessions')
    .where('id_hash', '=', hashOf(services, id))
    .where('tenant_id', '=', tenantId)
    .returning('id_token')
    .executeTakeFirst();
  return row?.id_token || undefined;
}
