import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerWithPermissions, type GraphClient } from '../helpers/graph.js';
import { invitation, invitationRow } from './support.js';

/**
 * Issue: a `User.Invite.All` app revived Member invitations. Re-inviting or resending a pending or revoked
 * Member invitation minted a new ticket (a way into the directory as a member) or moved its redirect URL.
 * Every operation on a Member invitation needs an administrator, whatever the body says.
 */
describe.each(testDialects())('Member invitations need an administrator on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let inviter: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    inviter = await callerWithPermissions(t, admin, ['User.Invite.All']);
  });
  afterAll(() => t.close());

  const memberInvitation = async (email: string) => {
    const created = await admin.post('/v1.0/invitations', invitation(email, { invitedUserType: 'Member' }));
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string; inviteRedeemUrl: string };
  };
  const expectDenied = (response: { statusCode: number; json(): { error: { code: string } } }) => {
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('Authorization_RequestDenied');
  };

  it.each(['Guest', 'Member'])(
    'a re-invite of a pending Member invitation (body says %s) mints no ticket and keeps the redirect URL',
    async (invitedUserType) => {
      const email = `pending-${invitedUserType.toLowerCase()}@fabrikam.com`;
      const created = await memberInvitation(email);
      const before = await invitationRow(t, created.id);
      const attempt = await inviter.post(
        '/v1.0/invitations',
        invitation(email, { invitedUserType, inviteRedirectUrl: 'https://evil.example/' }),
      );
      expectDenied(attempt);
      const after = await invitationRow(t, created.id);
      expect(after.ticket_hash).toBe(before.ticket_hash);
      expect(after.invite_redirect_url).toBe(before.invite_redirect_url);
      expect(after.invited_user_type).toBe('Member');
    },
  );

  it('a re-invite of a revoked Member invitation does not revive it', async () => {
    const created = await memberInvitation('revoked-member@fabrikam.com');
    expect((await admin.post(`/v1.0/invitations/${created.id}/revoke`)).statusCode).toBe(204);
    const before = await invitationRow(t, created.id);
    expectDenied(await inviter.post('/v1.0/invitations', invitation('revoked-member@fabrikam.com')));
    const after = await invitationRow(t, created.id);
    expect(after.status).toBe('Revoked');
    expect(after.ticket_hash).toBe(before.ticket_hash);
  });

  it('resend and revoke of a Member invitation are refused to a non-administrator', async () => {
    const created = await memberInvitation('resend-member@fabrikam.com');
    const before = await invitationRow(t, created.id);
    expectDenied(await inviter.post(`/v1.0/invitations/${created.id}/resend`));
    expectDenied(await inviter.post(`/v1.0/invitations/${created.id}/revoke`));
    const after = await invitationRow(t, created.id);
    expect(after).toMatchObject({ status: 'PendingAcceptance', ticket_hash: before.ticket_hash });
  });

  it('an administrator still may, and Guest invitations stay open to the inviter', async () => {
    const created = await memberInvitation('admin-member@fabrikam.com');
    const resent = await admin.post(`/v1.0/invitations/${created.id}/resend`);
    expect(resent.statusCode).toBe(200);
    expect(resent.json().inviteRedeemUrl).not.toBe(created.inviteRedeemUrl);
    const guest = (await inviter.post('/v1.0/invitations', invitation('plain-guest@fabrikam.com'))).json();
    expect((await inviter.post(`/v1.0/invitations/${guest.id}/resend`)).statusCode).toBe(200);
    expect((await inviter.post(`/v1.0/invitations/${guest.id}/revoke`)).statusCode).toBe(204);
  });
});
