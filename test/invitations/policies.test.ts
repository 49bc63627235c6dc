import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assignRole } from '../../src/users/store.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { delegatedToken } from '../helpers/delegated-token.js';
import { adminCaller, callerFor, type GraphClient, graphClient } from '../helpers/graph.js';
import { auditEntries, invitation, outboxTo } from './support.js';

const DOMAINS = '/v1.0/policies/b2bManagementPolicy';
const AUTHORIZATION = '/v1.0/policies/authorizationPolicy';

describe.each(testDialects())('invitation policies on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());
  afterEach(async () => {
    expect((await admin.patch(DOMAINS, { invitationsAllowedAndBlockedDomainsPolicy: {} })).statusCode).toBe(
      204,
    );
    expect((await admin.patch(AUTHORIZATION, { allowInvitesFrom: 'everyone' })).statusCode).toBe(204);
  });

  /** What an administrator can see of an address after a refused invitation: no user, no mail, no audit. */
  async function expectNothingCreatedFor(address: string) {
    const users = (await admin.get(`/v1.0/users?$filter=mail eq '${address}'&$count=true`)).json();
    expect(users['@odata.count']).toBe(0);
    expect(await outboxTo(t, address)).toEqual([]);
    const invites = await auditEntries(admin, 'Invite external user');
    expect(invites.filter((e) => e.additionalDetails.some((d) => d.value === address))).toEqual([]);
  }

  const inviteWithMail = (caller: GraphClient, address: string) =>
    caller.post('/v1.0/invitations', { ...invitation(address), sendInvitationMessage: true });

  describe('authorizationPolicy.allowInvitesFrom', () => {
    it('none stops every inviter, applications included: 403 Authorization_InvitationsDisabled, nothing created', async () => {
      const existing = (await admin.post('/v1.0/invitations', invitation('before-none@fabrikam.com'))).json();
      expect((await admin.patch(AUTHORIZATION, { allowInvitesFrom: 'none' })).statusCode).toBe(204);
      expect((await admin.get(AUTHORIZATION)).json().allowInvitesFrom).toBe('none');

      const refused = await inviteWithMail(admin, 'nobody@fabrikam.com');
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('Authorization_InvitationsDisabled');
      await expectNothingCreatedFor('nobody@fabrikam.com');
      const resend = await admin.post(`/v1.0/invitations/${existing.id}/resend`);
      expect(resend.statusCode).toBe(403);
      expect(resend.json().error.code).toBe('Authorization_InvitationsDisabled');
      // Cleaning up stays possible: pending invitations can still be revoked.
      expect((await admin.post(`/v1.0/invitations/${existing.id}/revoke`)).statusCode).toBe(204);

      await admin.patch(AUTHORIZATION, { allowInvitesFrom: 'everyone' });
      expect((await inviteWithMail(admin, 'nobody@fabrikam.com')).statusCode).toBe(201);
    });

    describe('for people (delegated tokens, roles from the directory)', () => {
      const people: Record<string, GraphClient> = {};
      beforeAll(async () => {
        const member = async (nickname: string, role?: string) => {
          const created = await admin.post('/v1.0/users', {
            accountEnabled: true,
            displayName: `${nickname} Member`,
            mailNickname: nickname,
            userPrincipalName: `${nickname}@contoso.foyer.localhost`,
            mail: `${nickname}@contoso.example`,
            passwordProfile: { password: 'a-long-enough-password' },
          });
          const id = created.json().id as string;
          if (role) await assignRole(t.app.services.db, t.tenant.tenantId, id, role);
          return id;
        };
        const guest = (await admin.post('/v1.0/invitations', invitation('gus@fabrikam.com'))).json();
        const as = async (userId: string, acct: 0 | 1 = 0) =>
          graphClient(t.app, await delegatedToken(t.app, { tenantId: t.tenant.tenantId, userId, acct }));
        people.admin = await as(await member('ada', 'User Administrator'));
        people.guestInviter = await as(await member('gil', 'Guest Inviter'));
        people.member = await as(await member('mo'));
        people.guest = await as(guest.invitedUser.id, 1);
      });

      it.each([
        ['adminsAndGuestInviters', { admin: true, guestInviter: true, member: false, guest: false }],
        ['adminsGuestInvitersAndAllMembers', { admin: true, guestInviter: true, member: true, guest: false }],
        ['everyone', { admin: true, guestInviter: true, member: true, guest: true }],
        ['none', { admin: false, guestInviter: false, member: false, guest: false }],
      ] as const)('%s', async (setting, expected) => {
        expect((await admin.patch(AUTHORIZATION, { allowInvitesFrom: setting })).statusCode).toBe(204);
        for (const [who, allowed] of Object.entries(expected)) {
          const address = `${setting.toLowerCase()}-${who.toLowerCase()}@fabrikam.com`;
          const attempt = await people[who]!.post('/v1.0/invitations', invitation(address));
          if (allowed) {
            expect(attempt.statusCode, `${who} under ${setting}`).toBe(201);
            expect(attempt.json().status).toBe('PendingAcceptance');
          } else {
            expect(attempt.statusCode, `${who} under ${setting}`).toBe(403);
            expect(attempt.json().error.code).toBe(
              setting === 'none' ? 'Authorization_InvitationsDisabled' : 'Authorization_RequestDenied',
            );
            await expectNothingCreatedFor(address);
          }
        }
      });
    });
  });

  describe('b2bManagementPolicy domain lists', () => {
    it('starts open, with invitations that never expire', async () => {
      const policy = (await admin.get(DOMAINS)).json();
      expect(policy).toMatchObject({
        id: 'b2bManagementPolicy',
        invitationsAllowedAndBlockedDomainsPolicy: {},
        invitationExpiryDays: null,
        invitationReminderDays: [],
      });
    });

    it('a deny-list with a wildcard refuses its domains (400 Request_InvitationDomainNotAllowed) and creates nothing', async () => {
      const patch = await admin.patch(DOMAINS, {
        invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['*.Evil.example', 'spam.example'] },
      });
      expect(patch.statusCode).toBe(204);
      expect((await admin.get(DOMAINS)).json().invitationsAllowedAndBlockedDomainsPolicy).toEqual({
        blockedDomains: ['*.evil.example', 'spam.example'],
      });

      for (const address of ['a@sub.evil.example', 'a@deep.sub.EVIL.example', 'a@SPAM.example']) {
        const refused = await inviteWithMail(admin, address);
        expect(refused.statusCode, address).toBe(400);
        expect(refused.json().error.code).toBe('Request_InvitationDomainNotAllowed');
        expect(refused.json().error.message).toContain('deny list');
        await expectNothingCreatedFor(address);
      }
      // The wildcard covers subdomains only (as in Entra); look-alike suffixes are not subdomains.
      for (const address of ['a@evil.example', 'a@notevil.example', 'a@spam.example.org', 'a@fabrikam.com']) {
        expect((await inviteWithMail(admin, address)).statusCode, address).toBe(201);
      }
    });

    it('an allow-list with a wildcard admits only its domains', async () => {
      const patch = await admin.patch(DOMAINS, {
        invitationsAllowedAndBlockedDomainsPolicy: { allowedDomains: ['fabrikam.com', '*.partners.example'] },
      });
      expect(patch.statusCode).toBe(204);
      for (const address of ['b@fabrikam.com', 'b@eu.partners.example']) {
        expect((await inviteWithMail(admin, address)).statusCode, address).toBe(201);
      }
      for (const address of ['b@partners.example', 'b@other.example', 'b@fabrikam.com.evil.example']) {
        const refused = await inviteWithMail(admin, address);
        expect(refused.statusCode, address).toBe(400);
        expect(refused.json().error.code).toBe('Request_InvitationDomainNotAllowed');
        expect(refused.json().error.message).toContain('allow list');
        await expectNothingCreatedFor(address);
      }
    });

    it('is checked again for an existing guest, its resend, and a reset to a new address', async () => {
      const first = (await admin.post('/v1.0/invitations', invitation('c@later.example'))).json();
      await admin.patch(DOMAINS, {
        invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['later.example', 'worse.example'] },
      });

      const again = await inviteWithMail(admin, 'c@later.example');
      expect(again.statusCode).toBe(400);
      expect(again.json().error.code).toBe('Request_InvitationDomainNotAllowed');
      const reset = await admin.post(
        '/v1.0/invitations',
        invitation('c@worse.example', { resetRedemption: true, invitedUser: { id: first.invitedUser.id } }),
      );
      expect(reset.statusCode).toBe(400);
      expect(reset.json().error.code).toBe('Request_InvitationDomainNotAllowed');
      const resend = await admin.post(`/v1.0/invitations/${first.id}/resend`);
      expect(resend.statusCode).toBe(400);
      expect(resend.json().error.code).toBe('Request_InvitationDomainNotAllowed');
      const guest = (await admin.get(`/v1.0/users/${first.invitedUser.id}?$select=mail`)).json();
      expect(guest.mail).toBe('c@later.example');
      expect(await outboxTo(t, 'c@later.example')).toEqual([]);
    });

    it('refuses an allow-list and a deny-list together with 400 and changes nothing', async () => {
      await admin.patch(DOMAINS, {
        invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['spam.example'] },
      });
      const both = await admin.patch(DOMAINS, {
        invitationsAllowedAndBlockedDomainsPolicy: {
          allowedDomains: ['fabrikam.com'],
          blockedDomains: ['spam.example'],
        },
      });
      expect(both.statusCode).toBe(400);
      expect(both.json().error.message).toContain('not both');
      expect((await admin.get(DOMAINS)).json().invitationsAllowedAndBlockedDomainsPolicy).toEqual({
        blockedDomains: ['spam.example'],
      });
    });

    it('refuses a list over 25 KB with 400 and accepts one just under', async () => {
      const domains = (n: number) =>
        Array.from({ length: n }, (_, i) => `host-${String(i).padStart(4, '0')}.example.com`);
      const over = { blockedDomains: domains(1100) };
      const under = { blockedDomains: domains(1050) };
      expect(JSON.stringify(over).length).toBeGreaterThan(25 * 1024);
      expect(JSON.stringify(under).length).toBeLessThanOrEqual(25 * 1024);

      const tooBig = await admin.patch(DOMAINS, { invitationsAllowedAndBlockedDomainsPolicy: over });
      expect(tooBig.statusCode).toBe(400);
      expect(tooBig.json().error.message).toContain('25 KB');
      expect((await admin.get(DOMAINS)).json().invitationsAllowedAndBlockedDomainsPolicy).toEqual({});

      expect(
        (await admin.patch(DOMAINS, { invitationsAllowedAndBlockedDomainsPolicy: under })).statusCode,
      ).toBe(204);
      expect((await inviteWithMail(admin, 'd@host-1049.example.com')).statusCode).toBe(400);
    });

    it.each([['not a domain'], ['https://contoso.com'], ['*.*.contoso.com'], ['contoso']])(
      'refuses the entry %j with 400',
      async (entry) => {
        const response = await admin.patch(DOMAINS, {
          invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: [entry] },
        });
        expect(response.statusCode).toBe(400);
        expect((await admin.get(DOMAINS)).json().invitationsAllowedAndBlockedDomainsPolicy).toEqual({});
      },
    );
  });

  it('audits every policy change with old and new values, and no refused one', async () => {
    const before = (
      await admin.get("/v1.0/auditLogs/directoryAudits?$filter=category eq 'Policy'&$count=true")
    ).json();
    await admin.patch(DOMAINS, {
      invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['audit.example'] },
    });
    await admin.patch(AUTHORIZATION, { allowInvitesFrom: 'adminsAndGuestInviters' });
    await admin.patch(DOMAINS, {
      invitationsAllowedAndBlockedDomainsPolicy: {
        allowedDomains: ['a.example'],
        blockedDomains: ['b.example'],
      },
    });

    const after = (
      await admin.get("/v1.0/auditLogs/directoryAudits?$filter=category eq 'Policy'&$count=true")
    ).json();
    expect(after['@odata.count']).toBe(before['@odata.count'] + 2);
    const authorization = after.value.find(
      (entry: { targetResources: Array<{ modifiedProperties: Array<{ newValue: string }> }> }) =>
        entry.targetResources[0]?.modifiedProperties[0]?.newValue === '"adminsAndGuestInviters"',
    );
    const domains = after.value.find(
      (entry: { targetResources: Array<{ modifiedProperties: Array<{ newValue: string }> }> }) =>
        entry.targetResources[0]?.modifiedProperties[0]?.newValue === '{"blockedDomains":["audit.example"]}',
    );
    expect(authorization).toMatchObject({
      activityDisplayName: 'Update authorization policy',
      category: 'Policy',
      operationType: 'Update',
      result: 'success',
      initiatedBy: { app: { appId: t.tenant.clientId } },
      targetResources: [
        {
          displayName: 'Authorization Policy',
          modifiedProperties: [
            { displayName: 'allowInvitesFrom', oldValue: '"everyone"', newValue: '"adminsAndGuestInviters"' },
          ],
        },
      ],
    });
    expect(domains).toMatchObject({
      activityDisplayName: 'Update external collaboration settings',
      category: 'Policy',
      targetResources: [
        {
          displayName: 'B2B Management Policy',
          modifiedProperties: [
            {
              displayName: 'invitationsAllowedAndBlockedDomainsPolicy',
              oldValue: '{}',
              newValue: '{"blockedDomains":["audit.example"]}',
            },
          ],
        },
      ],
    });
  });

  it('concurrent PATCHes of different properties all land (the policy row is locked per change)', async () => {
    // A tenant of its own: every property changes here, and the PATCHes start before its rows exist.
    const caller = await callerFor(t, await provisionOtherTenant(t, 'Concurrent'));
    const authorization = {
      allowInvitesFrom: 'adminsAndGuestInviters',
      guestUserRoleId: '2af84b1e-32c8-42b7-82bc-daa82404023b',
      allowedToSignUpEmailBasedSubscriptions: false,
      allowedToUseSSPR: false,
      allowEmailVerifiedUsersToJoinOrganization: true,
      blockMsolPowerShell: true,
    };
    const b2b = {
      invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['parallel.example'] },
      emailOneTimePasscodeEnabled: false,
      guestsMayLeave: false,
      invitationExpiryDays: 12,
      invitationReminderDays: [3, 6],
    };
    const responses = await Promise.all([
      ...Object.entries(authorization).map(([key, value]) => caller.patch(AUTHORIZATION, { [key]: value })),
      ...Object.entries(b2b).map(([key, value]) => caller.patch(DOMAINS, { [key]: value })),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 204));
    expect((await caller.get(AUTHORIZATION)).json()).toMatchObject(authorization);
    expect((await caller.get(DOMAINS)).json()).toMatchObject(b2b);
    // One audit entry per change, written in the change's transaction.
    const entries = [
      ...(await auditEntries(caller, 'Update authorization policy')),
      ...(await auditEntries(caller, 'Update external collaboration settings')),
    ];
    expect(entries).toHaveLength(responses.length);
  });
});
