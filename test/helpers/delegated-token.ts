import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { importJWK, SignJWT } from 'jose';
import { defaultDelegatedScopes } from '../../src/auth/permissions.js';
import { loadTenantSigningKeys, SIGNING_ALG } from '../../src/oidc/keys.js';
import { issuerOf } from '../../src/platform/issuer.js';

export interface DelegatedTokenOptions {
  tenantId: string;
  /** The user's object id in the tenant. */
  userId: string;
  /** The client application the user signed in to (azp/appid). */
  clientId?: string;
  /** Delegated permissions; the sign-in default unless given. */
  scopes?: readonly string[];
  /** 1 for a guest, 0 for a member. */
  acct?: 0 | 1;
  idp?: string;
  lifetimeSeconds?: number;
  /** Extra or overriding claims (e.g. a forged `roles`). */
  claims?: Record<string, unknown>;
}

/**
 * A delegated access token for the directory API exactly as interactive sign-in will issue it: RS256 with the
 * tenant's current signing key (read through src/oidc/keys.ts), header typ `at+jwt`, issuer
 * `{base}/{tenantId}/v2.0`, audience `{base}`, `tid`, `oid`, a pairwise `sub`, `azp` and `appid`, `scp`, `idp`,
 * `acct`, and no `idtyp` (only app tokens carry `idtyp: "app"`).
 */
export async function delegatedToken(app: FastifyInstance, options: DelegatedTokenOptions): Promise<string> {
  const { services } = app;
  const base = services.config.baseUrl;
  const keys = await loadTenantSigningKeys(services, options.tenantId);
  const jwk = keys.privateJwks[0]!;
  const key = await importJWK(jwk, SIGNING_ALG);
  const clientId = options.clientId ?? randomUUID();
  const issuer = issuerOf(base, options.tenantId);
  const now = Math.floor(services.clock.now().getTime() / 1000);
  const sub = createHash('sha256').update(`${clientId}:${options.userId}`).digest('base64url');
  return new SignJWT({
    tid: options.tenantId,
    oid: options.userId,
    azp: clientId,
    appid: clientId,
    scp: (options.scopes ?? defaultDelegatedScopes).join(' '),
    idp: options.idp ?? issuer,
    acct: options.acct ?? 0,
    ...options.claims,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: jwk.kid!, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(base)
    .setSubject(sub)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 3600))
    .sign(key);
}
