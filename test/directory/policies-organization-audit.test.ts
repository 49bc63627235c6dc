import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/database.js';
import {
  createApplicationWith,
  createGroup,
  createUser,
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  ids,
  TEST_BASE_URL,
  UUID_PATTERN,
  walkPages,
} from './support.js';

interface DirectoryAudit {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  category: string;
  correlationId: string;
  loggedByService: string;
  operationType: string;
  result: string;
  resultReason: string;
  initiatedBy: { app: Record<string, unknown> | null; user: Record<string, unknown> | null };
  targetResources: Array<{
    id: string;
    displayName: string | null;
    type: string;
    userPrincipalName: string | null;
    modifiedProperties: Array<{ displayName: string; oldValue: string | null; newValue: string | null }>;
  }>;
  additionalDetails: Array<{ key: string; value: string }>;
}

const LIMITED_GUEST_ROLE = '10dae51f-b6af-4016-8d66-8c2a99b929b3';
const RESTRICTED_GUEST_ROLE = '2af84b1e-32c8-42b7-82bc-daa82404023b';

describe.each(testDialects())('organization, authorizationPolicy and directoryAudits on %s', (dialect) => {
  let ctx: DirectoryContext;
  beforeAll(async () => {
    ctx = await directoryContext(dialect);
  });
  afterAll(async () => ctx?.close());

  const audits = async (query = '$top=999') => {
    const response = await ctx.api.get(`/auditLogs/directoryAudits?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { value: DirectoryAudit[]; '@odata.count'?: number; '@odata.context': string };
  };
  const auditFor = async (activity: string, targetId: string) => {
    const matches = (await audits()).value.filter(
      (entry) =>
        entry.activityDisplayName === activity && entry.targetResources.some((t) => t.id === targetId),
    );
    expect(matches, `one '${activity}' entry for ${targetId}`).toHaveLength(1);
    return matches[0]!;
  };

  describe('GET /organization', () => {
    it('is a collection of one: the token’s tenant, with its verified default domain', async () => {
      const response = await ctx.api.get('/organization');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#organization`,
        value: [
          {
            id: ctx.tenant.tenantId,
            displayName: 'Contoso',
            createdDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            preferredLanguage: 'en-US',
            tenantType: 'AAD',
            privacyProfile: null,
            verifiedDomains: [
              {
                capabilities: 'Email, OfficeCommunicationsOnline',
                isDefault: true,
                isInitial: true,
                name: ctx.domain,
                type: 'Managed',
              },
            ],
          },
        ],
      });
    });
  });

  describe('authorizationPolicy', () => {
    it('GET returns Entra’s defaults in the Graph shape', async () => {
      const response = await ctx.api.get('/policies/authorizationPolicy');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#policies/authorizationPolicy/$entity`,
        id: 'authorizationPolicy',
        displayName: 'Authorization Policy',
        description: expect.any(String),
        allowInvitesFrom: 'everyone',
        guestUserRoleId: LIMITED_GUEST_ROLE,
        allowedToSignUpEmailBasedSubscriptions: true,
        allowedToUseSSPR: true,
        allowEmailVerifiedUsersToJoinOrganization: false,
        blockMsolPowerShell: false,
      });
    });

    it('PATCH changes the named properties only (204) and is audited with old and new values', async () => {
      const response = await ctx.api.patch('/policies/authorizationPolicy', {
        allowInvitesFrom: 'adminsAndGuestInviters',
        guestUserRoleId: RESTRICTED_GUEST_ROLE,
      });
      expect(response.statusCode, response.body).toBe(204);
      expect((await ctx.api.get('/policies/authorizationPolicy')).json()).toMatchObject({
        allowInvitesFrom: 'adminsAndGuestInviters',
        guestUserRoleId: RESTRICTED_GUEST_ROLE,
        allowedToUseSSPR: true,
        blockMsolPowerShell: false,
      });
      const entry = await auditFor('Update authorization policy', 'authorizationPolicy');
      expect(entry).toMatchObject({ category: 'Policy', operationType: 'Update', result: 'success' });
      expect(entry.targetResources[0]!.modifiedProperties).toEqual([
        { displayName: 'allowInvitesFrom', oldValue: '"everyone"', newValue: '"adminsAndGuestInviters"' },
        {
          displayName: 'guestUserRoleId',
          oldValue: JSON.stringify(LIMITED_GUEST_ROLE),
          newValue: JSON.stringify(RESTRICTED_GUEST_ROLE),
        },
      ]);
    });

    it('bad PATCH bodies are a 400 and change nothing', async () => {
      const before = (await ctx.api.get('/policies/authorizationPolicy')).json();
      for (const body of [
        { allowInvitesFrom: 'anyone' },
        { allowInvitesFrom: 'none', defaultUserRolePermissions: { allowedToCreateApps: false } },
        { blockMsolPowerShell: 'true' },
        { guestUserRoleId: '00000000-0000-0000-0000-000000000000' },
        { id: 'otherPolicy' },
      ]) {
        expectGraphError(
          await ctx.api.patch('/policies/authorizationPolicy', body),
          400,
          'Request_BadRequest',
        );
      }
      expect((await ctx.api.get('/policies/authorizationPolicy')).json()).toEqual(before);
    });

    it('Policy.Read.All may read but not write', async () => {
      const reader = await createApplicationWith(ctx, ['Policy.Read.All']);
      expect((await reader.api.get('/policies/authorizationPolicy')).statusCode).toBe(200);
      expectGraphError(
        await reader.api.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'none' }),
        403,
        'Authorization_RequestDenied',
      );
    });

    it('Directory.ReadWrite.All may read policies and audit logs (it implies read)', async () => {
      const directory = await createApplicationWith(ctx, ['Directory.ReadWrite.All']);
      expect((await directory.api.get('/policies/authorizationPolicy')).statusCode).toBe(200);
      expect((await directory.api.get('/policies/b2bManagementPolicy')).statusCode).toBe(200);
      expect((await directory.api.get('/auditLogs/directoryAudits?$top=1')).statusCode).toBe(200);
    });
  });

  describe('auditLogs/directoryAudits', () => {
    it('a provisioned tenant starts with its creation entries, by the system actor', async () => {
      const { value } = await audits();
      const names = value.map((entry) => entry.activityDisplayName);
      expect(names).toEqual(expect.arrayContaining(['Create company', 'Add user', 'Add application']));
      const company = value.find((entry) => entry.activityDisplayName === 'Create company')!;
      expect(company.targetResources[0]).toMatchObject({ id: ctx.tenant.tenantId, type: 'Tenant' });
    });

    it('every change through the API leaves one entry in the Graph directoryAudit shape', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      await ctx.api.patch(`/users/${user.id}`, {
        jobTitle: 'Pilot',
        passwordProfile: { password: 'another long password' },
      });
      const group = await createGroup(ctx.api);
      await ctx.api.post(`/groups/${group.id}/members/$ref`, {
        '@odata.id': `${TEST_BASE_URL}/v1.0/directoryObjects/${user.id}`,
      });
      await ctx.api.patch(`/groups/${group.id}`, { description: 'changed' });
      await ctx.api.delete(`/groups/${group.id}/members/${user.id}/$ref`);
      await ctx.api.delete(`/groups/${group.id}`);
      await ctx.api.delete(`/users/${user.id}`);
      const application = await createApplicationWith(ctx, ['User.Read.All']);

      const expected: Array<[string, string, string, string]> = [
        ['Add user', user.id, 'UserManagement', 'Add'],
        ['Update user', user.id, 'UserManagement', 'Update'],
        ['Delete user', user.id, 'UserManagement', 'Delete'],
        ['Add group', group.id, 'GroupManagement', 'Add'],
        ['Update group', group.id, 'GroupManagement', 'Update'],
        ['Delete group', group.id, 'GroupManagement', 'Delete'],
        ['Add member to group', group.id, 'GroupManagement', 'Assign'],
        ['Remove member from group', group.id, 'GroupManagement', 'Unassign'],
        ['Add application', application.id, 'ApplicationManagement', 'Add'],
        [
          'Update application – Certificates and secrets management',
          application.id,
          'ApplicationManagement',
          'Update',
        ],
        ['Add app role assignment to service principal', application.id, 'ApplicationManagement', 'Assign'],
      ];
      for (const [activity, target, category, operationType] of expected) {
        const entry = await auditFor(activity, target);
        expect(Object.keys(entry).sort()).toEqual(
          [
            'activityDateTime',
            'activityDisplayName',
            'additionalDetails',
            'category',
            'correlationId',
            'id',
            'initiatedBy',
            'loggedByService',
            'operationType',
            'result',
            'resultReason',
            'targetResources',
          ].sort(),
        );
        expect(entry).toMatchObject({
          category,
          operationType,
          result: 'success',
          loggedByService: 'Core Directory',
          initiatedBy: {
            user: null,
            app: { appId: ctx.tenant.clientId, displayName: 'Foyer automation' },
          },
        });
        expect(entry.id).toMatch(UUID_PATTERN);
        expect(entry.correlationId).toMatch(UUID_PATTERN);
        expect(Number.isNaN(Date.parse(entry.activityDateTime))).toBe(false);
        for (const target of entry.targetResources) {
          expect(Object.keys(target).sort()).toEqual(
            ['displayName', 'groupType', 'id', 'modifiedProperties', 'type', 'userPrincipalName'].sort(),
          );
        }
      }

      const update = await auditFor('Update user', user.id);
      expect(update.targetResources[0]!.modifiedProperties.map((p) => p.displayName).sort()).toEqual([
        'jobTitle',
        'passwordProfile',
      ]);
      const member = await auditFor('Add member to group', group.id);
      expect(member.targetResources.map((t) => [t.type, t.id])).toEqual([
        ['User', user.id],
        ['Group', group.id],
      ]);
      const password = await auditFor(
        'Update application – Certificates and secrets management',
        application.id,
      );
      expect(password.additionalDetails).toEqual([
        { key: 'keyId', value: expect.stringMatching(UUID_PATTERN) },
      ]);
      const everything = JSON.stringify(await audits());
      expect(everything).not.toContain(application.secretText);
      expect(everything).not.toContain('another long password');
    });

    it('a refused or invalid change leaves no entry', async () => {
      const before = (await audits('$count=true&$top=1'))['@odata.count'];
      await ctx.api.post('/users', { displayName: 'incomplete' });
      await ctx.api.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'anyone' });
      const reader = await createApplicationWith(ctx, ['AuditLog.Read.All']);
      const afterSetup = (await audits('$count=true&$top=1'))['@odata.count']!;
      await reader.api.post('/groups', {
        displayName: 'x',
        mailNickname: 'x',
        mailEnabled: false,
        securityEnabled: true,
      });
      expect(afterSetup - before!).toBe(3); // the reader's own creation, grant and password
      expect((await audits('$count=true&$top=1'))['@odata.count']).toBe(afterSetup);
    });

    it('is newest first; OData $filter, $select, $top, $count and paging work', async () => {
      const { value } = await audits();
      const times = value.map((entry) => entry.activityDateTime);
      expect(times).toEqual([...times].sort().reverse());

      const groups = await audits(
        `$count=true&$filter=${encodeURIComponent("category eq 'GroupManagement'")}`,
      );
      expect(groups['@odata.count']).toBe(groups.value.length);
      expect(groups.value.length).toBeGreaterThan(0);
      for (const entry of groups.value) expect(entry.category).toBe('GroupManagement');

      const filtered = await audits(
        `$filter=${encodeURIComponent("activityDisplayName eq 'add user' and result eq 'success'")}&$select=activityDisplayName,id`,
      );
      expect(filtered['@odata.context']).toBe(
        `${TEST_BASE_URL}/v1.0/$metadata#auditLogs/directoryAudits(activityDisplayName,id)`,
      );
      expect(filtered.value.length).toBeGreaterThanOrEqual(2);
      for (const entry of filtered.value)
        expect(entry).toEqual({ activityDisplayName: 'Add user', id: entry.id });

      const at = await audits(`$filter=${encodeURIComponent(`activityDateTime eq ${times[0]}`)}`);
      expect(at.value.map((e) => e.id)).toContain(value[0]!.id);
      for (const entry of at.value) expect(entry.activityDateTime).toBe(times[0]);

      const walked = await walkPages<DirectoryAudit>(ctx.api, '/auditLogs/directoryAudits?$top=4');
      expect(ids(walked.items)).toEqual(ids(value));
      expect(walked.pages).toBe(Math.ceil(value.length / 4));

      const ascending = await audits('$orderby=activityDateTime asc&$top=999');
      expect(ids(ascending.value)).toEqual(ids(value).reverse());
      expectGraphError(
        await ctx.api.get('/auditLogs/directoryAudits?$orderby=category'),
        400,
        'Request_UnsupportedQuery',
      );
      expectGraphError(
        await ctx.api.get(`/auditLogs/directoryAudits?$filter=${encodeURIComponent("result eq 'maybe'")}`),
        400,
        'Request_UnsupportedQuery',
      );
    });
  });
});
