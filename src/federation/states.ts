import type { Services } from '../app/services.js';
import { hashSecret } from '../platform/secrets.js';

/**
 * An authorization request toward an identity provider, kept server-side until its callback: the PKCE verifier
 * and nonce never leave Foyer, the `state` sent to the IdP is 256 random bits stored only as a keyed hash, and a
 * callback consumes it (deleted on first use, so a replayed callback finds nothing). Ten minutes to sign in.
 */
export const STATE_SECONDS = 600;

export type FederationContext =
  /** A redemption: the ticket of the invitation being redeemed. */
  | { purpose: 'redeem'; ticket: string }
  /** A sign-in inside an OIDC interaction of the tenant's provider. */
  | { purpose: 'signin'; uid: string };

export interface PendingFederation {
  tenantId: string;
  providerId: string;
  context: FederationContext;
  codeVerifier: string;
  nonce: string;
}

const hashOf = (services: Services, state: string) =>
  hashSecret(`federation:${state}`, services.config.secret);

export async function saveState(services: Services, state: string, pending: PendingFederation) {
  const now = services.clock.now();
  // Abandoned sign-ins leave rows behind: each new one sweeps the expired.
  await services.db.deleteFrom('federation_states').where('expires_at', '<=', now.toISOString()).execute();
  await services.db
    .insertInto('federation_states')
    .values({
      id_hash: hashOf(services, state),
      tenant_id: pending.tenantId,
      provider_id: pending.providerId,
      purpose: pending.context.purpose,
      context: JSON.stringify(pending.context),
      code_verifier: pending.codeVerifier,
      nonce: pending.nonce,
      expires_at: new Date(now.getTime() + STATE_SECONDS * 1000).toISOString(),
    })
    .execute();
}

/** The pending request `state` names, removed in the same statement: exactly one callback gets it. */
export async function consumeState(
  services: Services,
  state: string,
): Promise<PendingFederation | undefined> {
  const row = await services.db
    .deleteFrom('federation_states')
    .where('id_hash', '=', hashOf(services, state))
    .where('expires_at', '>', services.clock.now().toISOString())
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    tenantId: row.tenant_id,
    providerId: row.provider_id,
    context: JSON.parse(row.context) as FederationContext,
    codeVerifier: row.code_verifier,
    nonce: row.nonce,
  };
}
