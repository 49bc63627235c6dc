import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerWithPermissions, type GraphClient } from '../helpers/graph.js';
import { invitation } from './support.js';

describe.each(testDialects())('POST /v1.0/invitations on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it('creates a pending guest and returns the Graph invitation', async () => {
    const response = await admin.post(
      '/v1.0/invitations',
      invitation('Ada@Fabrikam.com', { invitedUserDisplayName: 'Ada Lovelace' }),
    );
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      '@odata.context': 'https://foyer.test/v1.0/$metadata#invitations/$entity',
      invitedUserEmailAddress: 'Ada@Fabrikam.com',
      invitedUserDisplayName: 'Ada Lovelace',
      invitedUserType: 'Guest',
      inviteRedirectUrl: 'https://apps.contoso.example/welcome',
      sendInvitationMessage: false,
      resetRedemption: false,
      status: 'PendingAcceptance',
      invitedUserMessageInfo: { customizedMessageBody: null, messageLanguage: null, ccRecipients: [] },
    });
    expect(body.inviteRedeemUrl).toMatch(/^https:\/\/foyer\.test\/redeem\?ticket=[A-Za-z0-9_-]{43}$/);

    const guest = (
      await admin.get(
        `/v1.0/users/${body.invitedUser.id}?$select=id,userPrincipalName,userType,externalUserState,externalUserStateChangeDateTime,creationType,mail,displayName`,
      )
    ).json();
    expect(guest).toMatchObject({
      id: body.invitedUser.id,
      userPrincipalName: 'Ada_Fabrikam.com#EXT#@contoso.foyer.localhost',
      userType: 'Guest',
      externalUserState: 'PendingAcceptance',
      creationType: 'Invitation',
      mail: 'Ada@Fabrikam.com',
      displayName: 'Ada Lovelace',
    });
    expect(Date.parse(guest.externalUserStateChangeDateTime)).not.toBeNaN();
  });

  it('re-inviting the same address (any case) returns the same guest with a fresh redeem URL', async () => {
    const first = (await admin.post('/v1.0/invitations', invitation('grace@fabrikam.com'))).json();
    const second = (await admin.post('/v1.0/invitations', invitation('GRACE@fabrikam.com'))).json();
    expect(second.invitedUser.id).toBe(first.invitedUser.id);
    expect(second.inviteRedeemUrl).not.toBe(first.inviteRedeemUrl);
    const list = (await admin.get("/v1.0/users?$filter=mail eq 'grace@fabrikam.com'&$count=true")).json();
    expect(list['@odata.count']).toBe(1);
  });

  it("one guest per address: changing a guest's mail to another guest's names the mail property", async () => {
    const first = (await admin.post('/v1.0/invitations', invitation('one@fabrikam.com'))).json();
    const second = (await admin.post('/v1.0/invitations', invitation('two@fabrikam.com'))).json();
    const response = await admin.patch(`/v1.0/users/${second.invitedUser.id}`, { mail: 'ONE@fabrikam.com' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'Request_MultipleObjectsWithSameKeyValue',
      message: 'Another object with the same value for property mail already exists.',
    });
    expect(first.invitedUser.id).not.toBe(second.invitedUser.id);
  });

  it('filters pending guests through the users API', async () => {
    await admin.post('/v1.0/invitations', invitation('linus@fabrikam.com'));
    const list = (
      await admin.get(
        "/v1.0/users?$filter=userType eq 'Guest' and externalUserState eq 'PendingAcceptance'&$select=mail",
      )
    ).json();
    expect(list.value.map((u: { mail: string }) => u.mail)).toContain('linus@fabrikam.com');
  });

  it('refuses to invite a member of the tenant', async () => {
    const member = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Mia Member',
      mailNickname: 'mia',
      userPrincipalName: 'mia@contoso.foyer.localhost',
      mail: 'mia@contoso.example',
      passwordProfile: { password: 'a-long-enough-password' },
    });
    expect(member.statusCode).toBe(201);
    const response = await admin.post('/v1.0/invitations', invitation('MIA@contoso.example'));
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('Request_InvitedUserIsMember');
  });

  it.each([
    ['a missing address', { inviteRedirectUrl: 'https://x.example' }],
    ['an invalid address', invitation('not-an-email')],
    ['an internationalised but invalid address', invitation('ada@bücher..de')],
    ['a javascript: redirect', invitation('x@fabrikam.com', { inviteRedirectUrl: 'javascript:alert(1)' })],
    ['a relative redirect', invitation('x@fabrikam.com', { inviteRedirectUrl: '/welcome' })],
    [
      'two cc recipients',
      invitation('x@fabrikam.com', {
        invitedUserMessageInfo: {
          ccRecipients: [{ emailAddress: { address: 'a@x.com' } }, { emailAddress: { address: 'b@x.com' } }],
        },
      }),
    ],
    [
      'a 10,001-character message',
      invitation('x@fabrikam.com', { invitedUserMessageInfo: { customizedMessageBody: 'x'.repeat(10_001) } }),
    ],
    ['an unknown property', invitation('x@fabrikam.com', { invitedUserRole: 'admin' })],
    ['a wrong type', invitation('x@fabrikam.com', { sendInvitationMessage: 'yes' })],
  ])('rejects %s with 400 and creates nothing', async (_name, body) => {
    const response = await admin.post('/v1.0/invitations', body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('Request_BadRequest');
    const list = (await admin.get("/v1.0/users?$filter=startswith(mail,'x@')&$count=true")).json();
    expect(list['@odata.count']).toBe(0);
  });

  it('accepts an internationalised domain, stored as given', async () => {
    const response = await admin.post('/v1.0/invitations', invitation('juergen@bücher.de'));
    expect(response.statusCode).toBe(201);
    expect(response.json().invitedUserEmailAddress).toBe('juergen@bücher.de');
  });

  it('puts a look-alike (full-width) domain in canonical form, so policy and dedupe see the real address', async () => {
    const first = (await admin.post('/v1.0/invitations', invitation('lookalike@northwind.example'))).json();
    const again = await admin.post('/v1.0/invitations', invitation('lookalike@ｎｏｒｔｈｗｉｎｄ.example'));
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({
      invitedUser: { id: first.invitedUser.id },
      invitedUserEmailAddress: 'lookalike@northwind.example',
    });
    expect(
      (
        await admin.patch('/v1.0/policies/b2bManagementPolicy', {
          invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['blocked.example'] },
        })
      ).statusCode,
    ).toBe(204);
    const refused = await admin.post('/v1.0/invitations', invitation('x@ｂｌｏｃｋｅｄ.example'));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('Request_InvitationDomainNotAllowed');
    await admin.patch('/v1.0/policies/b2bManagementPolicy', {
      invitationsAllowedAndBlockedDomainsPolicy: {},
    });
  });

  it('rejects a non-ASCII local part, which SMTP without SMTPUTF8 cannot deliver', async () => {
    const response = await admin.post('/v1.0/invitations', invitation('jürgen@bücher.de'));
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('is not a valid email address');
  });

  it('allows Member invitations only for administrators', async () => {
    const inviterOnly = await callerWithPermissions(t, admin, ['User.Invite.All']);
    const refused = await inviterOnly.post(
      '/v1.0/invitations',
      invitation('member1@fabrikam.com', { invitedUserType: 'Member' }),
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('Authorization_RequestDenied');
    const allowed = await admin.post(
      '/v1.0/invitations',
      invitation('member1@fabrikam.com', { invitedUserType: 'Member' }),
    );
    expect(allowed.statusCode).toBe(201);
    expect(allowed.json().invitedUserType).toBe('Member');
    const noPermission = await callerWithPermissions(t, admin, ['User.Read.All']);
    expect((await noPermission.post('/v1.0/invitations', invitation('nobody@fabrikam.com'))).statusCode).toBe(
      403,
    );
  });

  describe('resetRedemption', () => {
    it('keeps object id, UPN and group memberships, rotates the ticket and takes a new address', async () => {
      const invited = (await admin.post('/v1.0/invitations', invitation('old@fabrikam.com'))).json();
      const guestId = invited.invitedUser.id;
      const before = (await admin.get(`/v1.0/users/${guestId}?$select=userPrincipalName`)).json();
      const group = (
        await admin.post('/v1.0/groups', {
          displayName: 'Partners',
          mailEnabled: false,
          mailNickname: 'partners',
          securityEnabled: true,
        })
      ).json();
      await admin.post(`/v1.0/groups/${group.id}/members/$ref`, {
        '@odata.id': `https://foyer.test/v1.0/directoryObjects/${guestId}`,
      });

      const reset = await admin.post(
        '/v1.0/invitations',
        invitation('new@northwind.example', { resetRedemption: true, invitedUser: { id: guestId } }),
      );
      expect(reset.statusCode).toBe(201);
      expect(reset.json()).toMatchObject({
        resetRedemption: true,
        status: 'PendingAcceptance',
        invitedUser: { id: guestId },
        invitedUserEmailAddress: 'new@northwind.example',
      });
      expect(reset.json().inviteRedeemUrl).not.toBe(invited.inviteRedeemUrl);
      const after = (
        await admin.get(`/v1.0/users/${guestId}?$select=userPrincipalName,mail,externalUserState`)
      ).json();
      expect(after).toMatchObject({
        userPrincipalName: before.userPrincipalName,
        mail: 'new@northwind.example',
        externalUserState: 'PendingAcceptance',
      });
      const groups = (await admin.get(`/v1.0/users/${guestId}/memberOf`)).json();
      expect(groups.value.map((g: { id: string }) => g.id)).toContain(group.id);
    });

    it('refuses a reset on a member, an unknown id, or without invitedUser', async () => {
      const adminUser = (await admin.get("/v1.0/users?$filter=userType eq 'Member'&$top=1")).json().value[0];
      const onMember = await admin.post(
        '/v1.0/invitations',
        invitation('m@fabrikam.com', { resetRedemption: true, invitedUser: { id: adminUser.id } }),
      );
      expect(onMember.statusCode).toBe(400);
      expect(onMember.json().error.code).toBe('Request_InvitedUserIsMember');
      const unknown = await admin.post(
        '/v1.0/invitations',
        invitation('m@fabrikam.com', {
          resetRedemption: true,
          invitedUser: { id: '00000000-0000-4000-8000-000000000000' },
        }),
      );
      expect(unknown.statusCode).toBe(404);
      const missing = await admin.post(
        '/v1.0/invitations',
        invitation('m@fabrikam.com', { resetRedemption: true }),
      );
      expect(missing.statusCode).toBe(400);
      expect(
        (await admin.get("/v1.0/users?$filter=mail eq 'm@fabrikam.com'&$count=true")).json()['@odata.count'],
      ).toBe(0);
    });

    it("refuses to move a guest onto a member's or another guest's address, changing nothing", async () => {
      const guest = (await admin.post('/v1.0/invitations', invitation('mover@fabrikam.com'))).json();
      await admin.post('/v1.0/invitations', invitation('taken@fabrikam.com'));
      const onGuest = await admin.post(
        '/v1.0/invitations',
        invitation('taken@fabrikam.com', {
          resetRedemption: true,
          invitedUser: { id: guest.invitedUser.id },
        }),
      );
      expect(onGuest.statusCode).toBe(400);
      expect(onGuest.json().error.code).toBe('Request_MultipleObjectsWithSameKeyValue');
      const onMember = await admin.post(
        '/v1.0/invitations',
        invitation('MIA@contoso.example', {
          resetRedemption: true,
          invitedUser: { id: guest.invitedUser.id },
        }),
      );
      expect(onMember.statusCode).toBe(400);
      expect(onMember.json().error.code).toBe('Request_InvitedUserIsMember');
      const after = (await admin.get(`/v1.0/users/${guest.invitedUser.id}?$select=mail`)).json();
      expect(after.mail).toBe('mover@fabrikam.com');
    });

    it('inviting the old address of a reset guest creates a new guest with a distinct UPN', async () => {
      const first = (await admin.post('/v1.0/invitations', invitation('former@fabrikam.com'))).json();
      await admin.post(
        '/v1.0/invitations',
        invitation('current@fabrikam.com', {
          resetRedemption: true,
          invitedUser: { id: first.invitedUser.id },
        }),
      );
      const again = await admin.post('/v1.0/invitations', invitation('former@fabrikam.com'));
      expect(again.statusCode).toBe(201);
      expect(again.json().invitedUser.id).not.toBe(first.invitedUser.id);
      const upn = (
        await admin.get(`/v1.0/users/${again.json().invitedUser.id}?$select=userPrincipalName`)
      ).json();
      expect(upn.userPrincipalName).toBe('former_fabrikam.com1#EXT#@contoso.foyer.localhost');
    });

    it('is for administrators only', async () => {
      const invited = (await admin.post('/v1.0/invitations', invitation('reset-me@fabrikam.com'))).json();
      const inviterOnly = await callerWithPermissions(t, admin, ['User.Invite.All']);
      const response = await inviterOnly.post(
        '/v1.0/invitations',
        invitation('reset-me@fabrikam.com', {
          resetRedemption: true,
          invitedUser: { id: invited.invitedUser.id },
        }),
      );
      expect(response.statusCode).toBe(403);
    });
  });

  it('records invitations in the directory audit log', async () => {
    await admin.post('/v1.0/invitations', invitation('audited@fabrikam.com'));
    const audits = (
      await admin.get("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Invite external user'")
    ).json();
    const entry = audits.value.find((a: { additionalDetails: Array<{ key: string; value: string }> }) =>
      a.additionalDetails.some((d) => d.value === 'audited@fabrikam.com'),
    );
    expect(entry).toMatchObject({
      category: 'UserManagement',
      loggedByService: 'Invited Users',
      result: 'success',
      operationType: 'Add',
    });
    expect(entry.initiatedBy.app.appId).toBe(t.tenant.clientId);
    expect(entry.targetResources[0].userPrincipalName).toBe(
      'audited_fabrikam.com#EXT#@contoso.foyer.localhost',
    );
  });
});
