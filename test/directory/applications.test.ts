import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { appToken } from '../helpers/tokens.js';
import {
  type CreatedApplication,
  createApplicationWith,
  createGroup,
  createUser,
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  ids,
  newGroup,
  newUser,
  TEST_BASE_URL,
  UUID_PATTERN,
  unique,
  walkPages,
} from './support.js';

type Application = Record<string, unknown> & {
  id: string;
  appId: string;
  displayName: string;
  passwordCredentials: Array<Record<string, unknown>>;
  grantedPermissions: string[];
};

const applicationProperties = [
  'id',
  'appId',
  'displayName',
  'signInAudience',
  'createdDateTime',
  'web',
  'spa',
  'publicClient',
  'appRoles',
  'passwordCredentials',
  'grantedPermissions',
];

describe.each(testDialects())('applications on %s', (dialect) => {
  let ctx: DirectoryContext;
  const clock = movableClock();
  beforeAll(async () => {
    ctx = await directoryContext(dialect, { clock });
  });
  afterAll(async () => ctx?.close());

  const tokenRequest = (clientId: string, clientSecret: string) =>
    ctx.app.inject({
      method: 'POST',
      url: `/${ctx.tenant.tenantSlug}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: `${TEST_BASE_URL}/.default`,
      }).toString(),
    });

  describe('create, read, list', () => {
    it('creates an application: 201, Location, the Graph application shape, a fresh appId', async () => {
      const body = {
        displayName: 'Payroll',
        signInAudience: 'AzureADMyOrg',
        web: { redirectUris: ['https://payroll.example.com/callback', 'http://localhost:3000/cb'] },
        spa: { redirectUris: ['https://spa.example.com/'] },
        publicClient: { redirectUris: ['msal://redirect'] },
        appRoles: [
          {
            id: randomUUID(),
            allowedMemberTypes: ['User'],
            description: 'Approvers',
            displayName: 'Approver',
            isEnabled: true,
            value: 'Payroll.Approve',
          },
        ],
      };
      const response = await ctx.api.post('/applications', body);
      expect(response.statusCode, response.body).toBe(201);
      const created = response.json() as Application;
      expect(Object.keys(created).sort()).toEqual(['@odata.context', ...applicationProperties].sort());
      expect(created.id).toMatch(UUID_PATTERN);
      expect(created.appId).toMatch(UUID_PATTERN);
      expect(created.appId).not.toBe(created.id);
      expect(response.headers.location).toBe(`${TEST_BASE_URL}/v1.0/applications/${created.id}`);
      expect(created).toMatchObject({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#applications/$entity`,
        displayName: 'Payroll',
        signInAudience: 'AzureADMyOrg',
        web: body.web,
        spa: body.spa,
        publicClient: body.publicClient,
        appRoles: body.appRoles,
        passwordCredentials: [],
        grantedPermissions: [],
      });

      const read = await ctx.api.get(`/applications/${created.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(created);
    });

    it('bad bodies are a 400 and create nothing', async () => {
      const displayName = unique('rejected');
      for (const body of [
        { displayName, web: { redirectUris: ['http://insecure.example.com/cb'] } },
        { displayName, web: { redirectUris: ['https://app.example.com/cb#fragment'] } },
        { displayName, web: { redirectUris: ['not a url'] } },
        { displayName, signInAudience: 'PersonalMicrosoftAccount' },
        { displayName, requiredResourceAccess: [] },
        { displayName: '' },
        { displayName: 42 },
      ]) {
        expectGraphError(await ctx.api.post('/applications', body), 400, 'Request_BadRequest');
      }
      const listed = await ctx.api.get(
        `/applications?$filter=${encodeURIComponent(`displayName eq '${displayName}'`)}`,
      );
      expect((listed.json() as { value: unknown[] }).value).toEqual([]);
    });

    it('lists applications with OData: $filter on appId and displayName, $select, $count, $search, paging', async () => {
      const prefix = unique('Listed');
      const created: Application[] = [];
      for (const suffix of ['C', 'A', 'B']) {
        const response = await ctx.api.post('/applications', { displayName: `${prefix} ${suffix}` });
        created.push(response.json() as Application);
      }
      const byAppId = await ctx.api.get(
        `/applications?$filter=${encodeURIComponent(`appId eq '${created[1]!.appId}'`)}&$select=id,appId`,
      );
      expect(byAppId.statusCode, byAppId.body).toBe(200);
      expect(byAppId.json()).toEqual({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#applications(id,appId)`,
        value: [{ id: created[1]!.id, appId: created[1]!.appId }],
      });
      const startsWith = await ctx.api.get(
        `/applications?$count=true&$filter=${encodeURIComponent(`startswith(displayName,'${prefix}')`)}&$orderby=displayName desc`,
      );
      expect(startsWith.json()).toMatchObject({
        '@odata.count': 3,
        value: [
          { displayName: `${prefix} C` },
          { displayName: `${prefix} B` },
          { displayName: `${prefix} A` },
        ],
      });
      const searched = await ctx.api.get(
        `/applications?$search=${encodeURIComponent(`"displayName:${prefix}"`)}`,
      );
      expect((searched.json() as { value: unknown[] }).value).toHaveLength(3);

      const all = await ctx.api.get('/applications?$top=999');
      const walked = await walkPages<Application>(ctx.api, '/applications?$top=2');
      expect(ids(walked.items)).toEqual(ids((all.json() as { value: Application[] }).value));
      expect(walked.items.length).toBeGreaterThanOrEqual(4);
      expectGraphError(await ctx.api.get('/applications?$orderby=appId'), 400, 'Request_UnsupportedQuery');
    });

    it('an unknown application id is a 404 on every application route', async () => {
      const unknown = randomUUID();
      expectGraphError(await ctx.api.get(`/applications/${unknown}`), 404, 'Request_ResourceNotFound');
      expectGraphError(
        await ctx.api.post(`/applications/${unknown}/addPassword`, {}),
        404,
        'Request_ResourceNotFound',
      );
      expectGraphError(
        await ctx.api.post(`/applications/${unknown}/grantedPermissions`, { permissions: ['User.Read.All'] }),
        404,
        'Request_ResourceNotFound',
      );
      // The client id is not the object id: Graph addresses applications by object id.
      expectGraphError(
        await ctx.api.get(`/applications/${ctx.tenant.clientId}`),
        404,
        'Request_ResourceNotFound',
      );
    });
  });

  describe('client secrets', () => {
    it('addPassword returns secretText once; the secret works at the token endpoint; it is never shown again', async () => {
      const created = (
        await ctx.api.post('/applications', { displayName: unique('secretive') })
      ).json() as Application;
      const response = await ctx.api.post(`/applications/${created.id}/addPassword`, {
        passwordCredential: { displayName: 'CI secret' },
      });
      expect(response.statusCode, response.body).toBe(200);
      const credential = response.json() as Record<string, string>;
      expect(credential).toMatchObject({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#microsoft.graph.passwordCredential`,
        customKeyIdentifier: null,
        displayName: 'CI secret',
      });
      expect(credential.keyId).toMatch(UUID_PATTERN);
      expect(credential.secretText).toMatch(/^[A-Za-z0-9_-]{40}$/);
      expect(credential.hint).toBe(credential.secretText!.slice(0, 3));
      // Graph's default lifetime: two years.
      const lifetime = Date.parse(credential.endDateTime!) - Date.parse(credential.startDateTime!);
      expect(Math.round(lifetime / (24 * 3600 * 1000))).toBe(730);

      const token = await tokenRequest(created.appId, credential.secretText!);
      expect(token.statusCode, token.body).toBe(200);
      const claims = decodeJwt((token.json() as { access_token: string }).access_token);
      expect(claims).toMatchObject({ tid: ctx.tenant.tenantId, aud: TEST_BASE_URL, oid: created.id });

      const read = (await ctx.api.get(`/applications/${created.id}`)).json() as Application;
      expect(read.passwordCredentials).toEqual([
        {
          customKeyIdentifier: null,
          displayName: 'CI secret',
          endDateTime: credential.endDateTime,
          hint: credential.hint,
          keyId: credential.keyId,
          secretText: null,
          startDateTime: credential.startDateTime,
        },
      ]);
      const list = await ctx.api.get('/applications?$top=999');
      expect(list.body).not.toContain(credential.secretText);
      const audit = await ctx.api.get('/auditLogs/directoryAudits?$top=999');
      expect(audit.body).not.toContain(credential.secretText);
    });

    it('a wrong secret, another app’s secret, or a secret at another tenant is refused by the token endpoint', async () => {
      const one = await createApplicationWith(ctx, []);
      const two = await createApplicationWith(ctx, []);
      expect((await tokenRequest(one.appId, `${one.secretText}x`)).statusCode).toBe(401);
      expect((await tokenRequest(one.appId, two.secretText)).statusCode).toBe(401);
      const other = await ctx.app.inject({
        method: 'POST',
        url: '/common-nonexistent-tenant/oauth2/v2.0/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: one.appId,
          client_secret: one.secretText,
          scope: `${TEST_BASE_URL}/.default`,
        }).toString(),
      });
      expect(other.statusCode).toBe(404);
    });

    it('each addPassword is a separate, working secret; an endDateTime in the past is refused', async () => {
      const app = await createApplicationWith(ctx, []);
      const second = (await ctx.api.post(`/applications/${app.id}/addPassword`, {})).json() as {
        secretText: string;
      };
      expect(second.secretText).not.toBe(app.secretText);
      expect((await tokenRequest(app.appId, app.secretText)).statusCode).toBe(200);
      expect((await tokenRequest(app.appId, second.secretText)).statusCode).toBe(200);
      expectGraphError(
        await ctx.api.post(`/applications/${app.id}/addPassword`, {
          passwordCredential: { endDateTime: '2001-01-01T00:00:00Z' },
        }),
        400,
        'Request_InvalidValue',
      );
      for (const body of [{ passwordCredential: { endDateTime: 'tomorrow' } }, { secretText: 'mine' }]) {
        expectGraphError(
          await ctx.api.post(`/applications/${app.id}/addPassword`, body),
          400,
          'Request_BadRequest',
        );
      }
      const read = (await ctx.api.get(`/applications/${app.id}`)).json() as Application;
      expect(read.passwordCredentials).toHaveLength(2);
    });

    it('a secret with a short endDateTime expires at the token endpoint', async () => {
      const created = (
        await ctx.api.post('/applications', { displayName: unique('short') })
      ).json() as Application;
      const end = new Date(clock.now().getTime() + 60_000).toISOString();
      const credential = (
        await ctx.api.post(`/applications/${created.id}/addPassword`, {
          passwordCredential: { endDateTime: end },
        })
      ).json() as { secretText: string; endDateTime: string };
      expect(credential.endDateTime).toBe(end);
      expect((await tokenRequest(created.appId, credential.secretText)).statusCode).toBe(200);
      clock.advance(61_000);
      expect((await tokenRequest(created.appId, credential.secretText)).statusCode).toBe(401);
    });
  });

  describe('grantedPermissions (Foyer extension)', () => {
    it('grants directory permissions: they show on the application and in the token’s roles', async () => {
      const created = (
        await ctx.api.post('/applications', { displayName: unique('granted') })
      ).json() as Application;
      const response = await ctx.api.post(`/applications/${created.id}/grantedPermissions`, {
        permissions: ['User.Read.All', 'Group.Read.All'],
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#applications/$entity`,
        id: created.id,
        grantedPermissions: ['Group.Read.All', 'User.Read.All'],
      });
      // Granting again is idempotent and adds to the set.
      const again = await ctx.api.post(`/applications/${created.id}/grantedPermissions`, {
        permissions: ['User.Read.All', 'AuditLog.Read.All'],
      });
      expect((again.json() as Application).grantedPermissions).toEqual([
        'AuditLog.Read.All',
        'Group.Read.All',
        'User.Read.All',
      ]);
      const secret = (await ctx.api.post(`/applications/${created.id}/addPassword`, {})).json() as {
        secretText: string;
      };
      const token = await appToken(ctx.app, {
        tenant: ctx.tenant.tenantSlug,
        clientId: created.appId,
        clientSecret: secret.secretText,
      });
      expect((decodeJwt(token).roles as string[]).sort()).toEqual([
        'AuditLog.Read.All',
        'Group.Read.All',
        'User.Read.All',
      ]);
    });

    it('unknown permission names, an empty list or extra fields are a 400 and grant nothing', async () => {
      const created = (
        await ctx.api.post('/applications', { displayName: unique('ungranted') })
      ).json() as Application;
      for (const body of [
        { permissions: ['User.Read.All', 'Mail.Send'] },
        { permissions: [] },
        { permissions: 'User.Read.All' },
        { permissions: ['User.Read.All'], roles: ['x'] },
      ]) {
        expectGraphError(
          await ctx.api.post(`/applications/${created.id}/grantedPermissions`, body),
          400,
          'Request_BadRequest',
        );
      }
      const read = (await ctx.api.get(`/applications/${created.id}`)).json() as Application;
      expect(read.grantedPermissions).toEqual([]);
    });
  });

  describe('permissions', () => {
    let reader: CreatedApplication;
    let nothing: CreatedApplication;
    let user: { id: string; displayName: string };
    let group: { id: string };
    beforeAll(async () => {
      reader = await createApplicationWith(ctx, ['User.Read.All']);
      nothing = await createApplicationWith(ctx, []);
      user = await createUser(ctx.api, ctx.domain);
      group = await createGroup(ctx.api);
    });

    it('an app with only User.Read.All can read users and the organization', async () => {
      expect((await reader.api.get('/users')).statusCode).toBe(200);
      expect((await reader.api.get(`/users/${user.id}`)).statusCode).toBe(200);
      expect((await reader.api.get(`/users/${user.id}/memberOf`)).statusCode).toBe(200);
      expect((await reader.api.get('/organization')).statusCode).toBe(200);
    });

    it('an app with only User.Read.All gets 403 Authorization_RequestDenied on every write, and nothing changes', async () => {
      const appObject = (await ctx.api.get(`/applications/${reader.id}`)).json() as Application;
      const attempts = [
        reader.api.post('/users', newUser(ctx.domain)),
        reader.api.patch(`/users/${user.id}`, { displayName: 'Hacked' }),
        reader.api.delete(`/users/${user.id}`),
        reader.api.post('/groups', newGroup()),
        reader.api.patch(`/groups/${group.id}`, { displayName: 'Hacked' }),
        reader.api.delete(`/groups/${group.id}`),
        reader.api.post(`/groups/${group.id}/members/$ref`, {
          '@odata.id': `${TEST_BASE_URL}/v1.0/directoryObjects/${user.id}`,
        }),
        reader.api.delete(`/groups/${group.id}/members/${user.id}/$ref`),
        reader.api.post('/applications', { displayName: 'Hacked' }),
        reader.api.post(`/applications/${reader.id}/addPassword`, {}),
        reader.api.post(`/applications/${reader.id}/grantedPermissions`, {
          permissions: ['Directory.ReadWrite.All'],
        }),
        reader.api.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'none' }),
      ];
      for (const response of await Promise.all(attempts)) {
        const error = expectGraphError(response, 403, 'Authorization_RequestDenied');
        expect(error.message).toMatch(/Requires one of/);
      }
      expect((await ctx.api.get(`/users/${user.id}`)).json()).toMatchObject({
        displayName: user.displayName,
      });
      expect((await ctx.api.get(`/groups/${group.id}`)).statusCode).toBe(200);
      expect((await ctx.api.get(`/groups/${group.id}/members`)).json()).toMatchObject({ value: [] });
      expect((await ctx.api.get(`/applications/${reader.id}`)).json()).toEqual(appObject);
      expect((await ctx.api.get('/policies/authorizationPolicy')).json()).toMatchObject({
        allowInvitesFrom: 'everyone',
      });
    });

    it('an app with only User.Read.All cannot read groups, applications, policies or audit logs', async () => {
      for (const path of [
        '/groups',
        `/groups/${group.id}`,
        `/groups/${group.id}/members`,
        '/applications',
        `/applications/${reader.id}`,
        '/policies/authorizationPolicy',
        '/auditLogs/directoryAudits',
      ]) {
        expectGraphError(await reader.api.get(path), 403, 'Authorization_RequestDenied');
      }
    });

    it('an app without any permission gets a token but is refused everywhere', async () => {
      expect(decodeJwt(nothing.api.token).roles ?? []).toEqual([]);
      for (const path of [
        '/users',
        '/groups',
        '/applications',
        '/organization',
        '/auditLogs/directoryAudits',
      ]) {
        expectGraphError(await nothing.api.get(path), 403, 'Authorization_RequestDenied');
      }
    });

    it('Application.ReadWrite.All cannot grant directory permissions (no self-escalation)', async () => {
      const appAdmin = await createApplicationWith(ctx, ['Application.ReadWrite.All']);
      expect(
        (await appAdmin.api.post('/applications', { displayName: unique('by-app-admin') })).statusCode,
      ).toBe(201);
      expectGraphError(
        await appAdmin.api.post(`/applications/${appAdmin.id}/grantedPermissions`, {
          permissions: ['Directory.ReadWrite.All'],
        }),
        403,
        'Authorization_RequestDenied',
      );
      const read = (await ctx.api.get(`/applications/${appAdmin.id}`)).json() as Application;
      expect(read.grantedPermissions).toEqual(['Application.ReadWrite.All']);
    });

    it('GroupMember.ReadWrite.All manages members but cannot create groups', async () => {
      const memberAdmin = await createApplicationWith(ctx, ['GroupMember.ReadWrite.All']);
      const added = await memberAdmin.api.post(`/groups/${group.id}/members/$ref`, {
        '@odata.id': `${TEST_BASE_URL}/v1.0/directoryObjects/${user.id}`,
      });
      expect(added.statusCode, added.body).toBe(204);
      expectGraphError(await memberAdmin.api.post('/groups', newGroup()), 403, 'Authorization_RequestDenied');
      const removed = await memberAdmin.api.delete(`/groups/${group.id}/members/${user.id}/$ref`);
      expect(removed.statusCode).toBe(204);
    });
  });
});
