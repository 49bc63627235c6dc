import type { TestApp } from '../helpers/build-test-app.js';
import type { GraphClient } from '../helpers/graph.js';

/** A guest invited through the API whose account is bound to a federated identity, and the way to unbind it. */
export interface FederatedGuest {
  guestId: string;
  /** Removes the binding, so the identity provider it pointed at is no longer in use. */
  unbind(): Promise<void>;
}

/**
 * Invites `email` as a guest and binds it to `subject` at `issuer` straight in the store: the state a redemption
 * through that identity provider leaves, without running the browser journey.
 */
export async function inviteFederatedGuest(
  t: TestApp,
  admin: GraphClient,
  email: string,
  issuer: string,
  subject: string,
): Promise<FederatedGuest> {
  const invited = await admin.post('/v1.0/invitations', {
    invitedUserEmailAddress: email,
    inviteRedirectUrl: 'https://example.com',
  });
  const guestId = invited.json().invitedUser.id as string;
  await t.app.services.db
    .insertInto('user_identities')
    .values({
      tenant_id: t.tenant.tenantId,
      user_id: guestId,
      sign_in_type: 'federated',
      issuer,
      issuer_assigned_id: subject,
    })
    .execute();
  return {
    guestId,
    unbind: async () => {
      await t.app.services.db.deleteFrom('user_identities').where('user_id', '=', guestId).execute();
    },
  };
}
