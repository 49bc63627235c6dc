import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerWithPermissions, type GraphClient } from '../helpers/graph.js';
import { invitation } from './support.js';

/**
 * An address that already names someone in the tenant — by UPN, mail, otherMails or a bound identity — is never
 * invited into a second, guest object; and the refusal never tells the caller who that someone is.
 */
describe.each(testDialects())('inviting an address the directory already knows, on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let inviter: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    inviter = await callerWithPermissions(t, admin, ['User.Invite.All']);
  });
  afterAll(() => t.close());

  async function member(nickname: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: nickname,
      mailNickname: nickname,
      userPrincipalName: `${nickname}@contoso.foyer.localhost`,
      passwordProfile: { password: 'a-long-enough-password' },
      ...extra,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  }

  async function usersNamed(displayName: string): Promise<number> {
    const list = await admin.get(`/v1.0/users?$filter=displayName eq '${displayName}'&$count=true`);
    return list.json()['@odata.count'];
  }

  it('a member without mail is found by its UPN (any case); the error names no object id', async () => {
    const id = await member('bea');
    const response = await inviter.post(
      '/v1.0/invitations',
      invitation('Bea@Contoso.foyer.localhost', { invitedUserDisplayName: 'Bea as guest' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('Request_InvitedUserIsMember');
    expect(response.body).not.toContain(id);
    expect(await usersNamed('Bea as guest')).toBe(0);
  });

  it('a member with mail set: the refusal names no object id either', async () => {
    const id = await member('cleo', { mail: 'cleo@contoso.example' });
    const response = await inviter.post('/v1.0/invitations', invitation('cleo@contoso.example'));
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('Request_InvitedUserIsMember');
    expect(response.body).not.toContain(id);
  });

  it('a member is found by an entry of otherMails; LIKE wildcards in the address match only themselves', async () => {
    await member('dora', { otherMails: ['dora.private@fabrikam.com', 'd_ra@fabrikam.com'] });
    const refused = await admin.post('/v1.0/invitations', invitation('DORA.private@fabrikam.com'));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('Request_InvitedUserIsMember');
    // `_` is a LIKE wildcard: 'dxra@…' must not match the entry 'd_ra@…'.
    for (const address of ['dxra@fabrikam.com']) {
      const invited = await admin.post('/v1.0/invitations', invitation(address));
      expect(invited.statusCode, `${address}: ${invited.body}`).toBe(201);
    }
    expect((await admin.post('/v1.0/invitations', invitation('d_ra@fabrikam.com'))).statusCode).toBe(400);
  });

  it('otherMails are matched whole and in any case, and follow every change of the member', async () => {
    const id = await member('fay', { otherMails: ['Fay.Other@Fabrikam.COM'] });
    for (const address of ['fay.other@fabrikam.com', 'FAY.OTHER@FABRIKAM.COM']) {
      const refused = await admin.post('/v1.0/invitations', invitation(address));
      expect(refused.statusCode, address).toBe(400);
      expect(refused.json().error.code).toBe('Request_InvitedUserIsMember');
    }
    // Only a whole entry names the member, not a part of one.
    expect((await admin.post('/v1.0/invitations', invitation('ay.other@fabrikam.com'))).statusCode).toBe(201);

    // The entry replaced: the new address names the member, the old one no longer does.
    const patched = await admin.patch(`/v1.0/users/${id}`, { otherMails: ['Fay.New@Fabrikam.com'] });
    expect(patched.statusCode, patched.body).toBe(204);
    expect((await admin.post('/v1.0/invitations', invitation('fay.new@FABRIKAM.com'))).statusCode).toBe(400);
    expect((await admin.post('/v1.0/invitations', invitation('fay.other@fabrikam.com'))).statusCode).toBe(
      201,
    );

    // The member deleted: its address is free to invite.
    expect((await admin.delete(`/v1.0/users/${id}`)).statusCode).toBe(204);
    expect((await admin.post('/v1.0/invitations', invitation('Fay.New@fabrikam.com'))).statusCode).toBe(201);
  });

  it('a guest added without invitation is found by its identity', async () => {
    const created = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Eli Direct',
      mailNickname: 'eli',
      userPrincipalName: 'eli_direct@contoso.foyer.localhost',
      userType: 'Guest',
      identities: [
        { signInType: 'federated', issuer: 'https://idp.fabrikam.com', issuerAssignedId: 'Eli@Fabrikam.com' },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const response = await admin.post('/v1.0/invitations', invitation('eli@fabrikam.com'));
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('Request_InvitedUserIsMember');
  });

  it('a reset cannot move a guest onto a member’s UPN', async () => {
    await member('finn');
    const guest = (await admin.post('/v1.0/invitations', invitation('finn.guest@fabrikam.com'))).json();
    const reset = await admin.post(
      '/v1.0/invitations',
      invitation('finn@contoso.foyer.localhost', {
        resetRedemption: true,
        invitedUser: { id: guest.invitedUser.id },
      }),
    );
    expect(reset.statusCode).toBe(400);
  });

  it('a re-invite of an invited guest still returns that guest', async () => {
    const first = (await admin.post('/v1.0/invitations', invitation('gus@fabrikam.com'))).json();
    const second = await admin.post('/v1.0/invitations', invitation('GUS@fabrikam.com'));
    expect(second.statusCode).toBe(201);
    expect(second.json().invitedUser.id).toBe(first.invitedUser.id);
  });
});

describe.each(testDialects())('identities in the tenant’s own namespace, on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  const guestWith = (nickname: string, issuer: string, issuerAssignedId: string) =>
    admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: nickname,
      mailNickname: nickname,
      userPrincipalName: `${nickname}@contoso.foyer.localhost`,
      userType: 'Guest',
      identities: [{ signInType: 'userPrincipalName', issuer, issuerAssignedId }],
    });

  it('a guest cannot copy a member’s derived identity, nor take the tenant’s issuer', async () => {
    const me = (
      await admin.get("/v1.0/users?$filter=userType eq 'Member'&$top=1&$select=id,identities")
    ).json().value[0];
    const derived = me.identities[0] as { issuer: string; issuerAssignedId: string };
    expect(derived.issuer).toBe('contoso.foyer.localhost');
    for (const [nickname, issuer] of [
      ['copy1', derived.issuer],
      ['copy2', derived.issuer.toUpperCase()],
      ['copy3', `https://foyer.test/${t.tenant.tenantId}/v2.0`],
    ] as const) {
      const response = await guestWith(nickname, issuer, derived.issuerAssignedId);
      expect(response.statusCode, `${issuer}: ${response.body}`).toBe(400);
      expect(response.json().error.code).toBe('Request_InvalidValue');
    }
    expect(
      (await guestWith('foreign', 'https://idp.fabrikam.com', derived.issuerAssignedId)).statusCode,
    ).toBe(201);
  });
});
