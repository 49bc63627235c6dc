import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { hashSecret } from '../platform/secrets.js';
import { cookieOptions } from '../web/cookies.js';
import { type HomeIdentity, subjectOf } from './identity.js';
import { deleteSession, deleteSessionsOf, findLiveSession, insertSession } from './store.js';

/**
 * Browser sessions at this instance (one cookie for every tenant, like Entra's sign-in service). The cookie holds
 * 256 random bits; the database holds only their keyed hash, so any instance serves any request and a stolen
 * database row does not sign anyone in.
 */
export const SESSION_COOKIE = 'foyer_session';
/** Password sign-ins last a working day; the one-time passcode session lasts 24 hours (PRODUCT §4.3). */
export const PASSWORD_SESSION_SECONDS = 12 * 3600;
export const PASSCODE_SESSION_SECONDS = 24 * 3600;

export interface WebSession {
  identity: HomeIdentity;
  amr: string[];
  /** Epoch seconds of the sign-in: OIDC auth_time, checked against max_age. */
  authTime: number;
  /** The keyed hash of the cookie: what records about this session (src/mfa) are keyed by. */
  key: string;
}

const hashOf = (services: Services, value: string) => hashSecret(`session:${value}`, services.config.secret);

export async function startSession(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { identity: HomeIdentity; amr: string[]; lifetimeSeconds: number },
): Promise<WebSession> {
  // A new sign-in replaces the browser's previous session: a leaked older cookie must not outlive it.
  await endSessionByCookieValue(services, request.cookies[SESSION_COOKIE]);
  const value = services.ids.token(32);
  const now = services.clock.now();
  const authTime = Math.floor(now.getTime() / 1000);
  const key = hashOf(services, value);
  await insertSession(services.db, {
    id_hash: key,
    subject: subjectOf(input.identity),
    identity: JSON.stringify(input.identity),
    amr: JSON.stringify(input.amr),
    auth_time: authTime,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + input.lifetimeSeconds * 1000).toISOString(),
  });
  reply.setCookie(SESSION_COOKIE, value, cookieOptions(services.config, input.lifetimeSeconds));
  return { identity: input.identity, amr: input.amr, authTime, key };
}

export async function currentSession(
  services: Services,
  request: FastifyRequest,
): Promise<WebSession | undefined> {
  const value = request.cookies[SESSION_COOKIE];
  if (!value || value.length > 100) return undefined;
  const row = await findLiveSession(services.db, hashOf(services, value), services.clock.now().toISOString());
  if (!row) return undefined;
  return {
    identity: JSON.parse(row.identity) as HomeIdentity,
    amr: JSON.parse(row.amr) as string[],
    authTime: Number(row.auth_time),
    key: row.id_hash,
  };
}

export async function endSession(services: Services, request: FastifyRequest, reply: FastifyReply) {
  const value = request.cookies[SESSION_COOKIE];
  if (value && value.length <= 100) await deleteSession(services.db, hashOf(services, value));
  reply.clearCookie(SESSION_COOKIE, cookieOptions(services.config));
}

/** Ends every browser session of a person (password reset, disabled account, revokeSignInSessions). */
export async function endSessionsOf(services: Services, identity: HomeIdentity): Promise<void> {
  await deleteSessionsOf(services.db, subjectOf(identity));
}

/** The same, from a raw cookie header (the logout hook runs inside oidc-provider, outside Fastify). */
export async function endSessionByCookieValue(services: Services, value: string | undefined) {
  if (value && value.length <= 100) await deleteSession(services.db, hashOf(services, value));
}
