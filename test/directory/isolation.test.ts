import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { provisionOtherTenant } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { type GraphClient, graphClient, tokenFor, V1 } from '../helpers/graph.js';
import {
  type CreatedApplication,
  createApplicationWith,
  createGroup,
  createUser,
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  newGroup,
  newUser,
  TEST_BASE_URL,
} from './support.js';

/**
 * Tenant isolation: with tenant B's token, every route that names an object takes tenant A's object for one that
 * does not exist (404, as Graph answers for another tenant's object), and nothing of A changes or leaks.
 */
describe.each(testDialects())('tenant isolation on %s', (dialect) => {
  let ctx: DirectoryContext;
  let tenantB: ProvisionedTenant;
  let b: GraphClient;
  let domainB: string;
  let userA: { id: string; displayName: string; userPrincipalName: string };
  let otherUserA: { id: string; displayName: string; userPrincipalName: string };
  let groupA: { id: string; displayName: string };
  let appA: CreatedApplication;
  let groupB: { id: string; displayName: string };
  let userB: { id: string };
  let snapshotA: Record<string, string>;

  /** Everything of tenant A that B's calls could have changed, as A sees it. */
  async function snapshot(): Promise<Record<string, string>> {
    const paths = [
      `/users/${userA.id}?$select=id,displayName,jobTitle,accountEnabled,userPrincipalName`,
      `/users/${otherUserA.id}?$select=id,displayName,userPrincipalName`,
      `/users/${userA.id}/memberOf`,
      `/groups/${groupA.id}`,
      `/groups/${groupA.id}/members?$select=id`,
      `/applications/${appA.id}`,
      '/policies/authorizationPolicy',
      '/users?$select=id&$top=999',
      '/groups?$select=id&$top=999',
      '/applications?$select=id,grantedPermissions&$top=999',
      '/auditLogs/directoryAudits?$select=id&$top=999',
    ];
    const entries = await Promise.all(
      paths.map(async (path) => {
        const response = await ctx.api.get(path);
        expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
        const body = response.json() as Record<string, unknown>;
        return [path, JSON.stringify(body)] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  beforeAll(async () => {
    ctx = await directoryContext(dialect);
    tenantB = await provisionOtherTenant(ctx);
    b = graphClient(ctx.app, await tokenFor(ctx.app, tenantB), V1);
    domainB = tenantB.adminUserPrincipalName.split('@')[1]!;

    userA = await createUser(ctx.api, ctx.domain, { displayName: 'Alice of A' });
    otherUserA = await createUser(ctx.api, ctx.domain, { displayName: 'Another of A' });
    groupA = await createGroup(ctx.api, { displayName: 'Group of A' });
    await ctx.api.post(`/groups/${groupA.id}/members/$ref`, {
      '@odata.id': `${TEST_BASE_URL}/v1.0/directoryObjects/${userA.id}`,
    });
    appA = await createApplicationWith(ctx, ['User.Read.All'], 'App of A');
    groupB = await createGroup(b, { displayName: 'Group of B' });
    userB = await createUser(b, domainB, { displayName: 'Bob of B' });
    snapshotA = await snapshot();
  });
  afterAll(async () => ctx?.close());

  const expectNotFound = (response: LightMyRequestResponse) =>
    expectGraphError(response, 404, 'Request_ResourceNotFound');
  const ref = (id: string) => ({ '@odata.id': `${TEST_BASE_URL}/v1.0/directoryObjects/${id}` });

  it('B cannot read, change or delete A’s users, by id or by userPrincipalName', async () => {
    for (const key of [
      userA.id,
      userA.id.toUpperCase(),
      userA.userPrincipalName,
      userA.userPrincipalName.toUpperCase(),
    ]) {
      const path = `/users/${encodeURIComponent(key)}`;
      expectNotFound(await b.get(path));
      expectNotFound(await b.get(`${path}?$select=id,displayName`));
      expectNotFound(await b.patch(path, { displayName: 'Owned by B', jobTitle: 'Intruder' }));
      expectNotFound(await b.patch(path, { passwordProfile: { password: 'a password B knows' } }));
      expectNotFound(await b.get(`${path}/memberOf`));
      expectNotFound(await b.delete(path));
    }
  });

  it('B cannot read, change or delete A’s groups, nor list their members', async () => {
    expectNotFound(await b.get(`/groups/${groupA.id}`));
    expectNotFound(await b.get(`/groups/${groupA.id}?$select=displayName`));
    expectNotFound(await b.patch(`/groups/${groupA.id}`, { displayName: 'Owned by B' }));
    expectNotFound(await b.get(`/groups/${groupA.id}/members`));
    expectNotFound(await b.delete(`/groups/${groupA.id}`));
  });

  it('B cannot add or remove members of A’s groups, nor put A’s users in its own groups', async () => {
    expectNotFound(await b.post(`/groups/${groupA.id}/members/$ref`, ref(otherUserA.id)));
    expectNotFound(await b.post(`/groups/${groupA.id}/members/$ref`, ref(userB.id)));
    expectNotFound(await b.delete(`/groups/${groupA.id}/members/${userA.id}/$ref`));
    expectNotFound(await b.post(`/groups/${groupB.id}/members/$ref`, ref(userA.id)));
    expectNotFound(await b.delete(`/groups/${groupB.id}/members/${userA.id}/$ref`));
    const members = await b.get(`/groups/${groupB.id}/members`);
    expect((members.json() as { value: unknown[] }).value).toEqual([]);
  });

  it('B cannot create a group bound to A’s users or owners; nothing is written in B', async () => {
    for (const binds of [
      { 'members@odata.bind': [ref(userA.id)['@odata.id']] },
      { 'owners@odata.bind': [ref(userA.id)['@odata.id']] },
    ]) {
      const response = await b.post('/groups', newGroup({ displayName: 'Smuggler', ...binds }));
      expectGraphError(response, 400, 'Request_BadRequest');
    }
    const listed = await b.get(`/groups?$filter=${encodeURIComponent("displayName eq 'Smuggler'")}`);
    expect((listed.json() as { value: unknown[] }).value).toEqual([]);
  });

  it('B cannot read A’s applications, add secrets to them or grant them permissions', async () => {
    expectNotFound(await b.get(`/applications/${appA.id}`));
    expectNotFound(await b.post(`/applications/${appA.id}/addPassword`, {}));
    expectNotFound(
      await b.post(`/applications/${appA.id}/addPassword`, { passwordCredential: { displayName: 'B' } }),
    );
    expectNotFound(
      await b.post(`/applications/${appA.id}/grantedPermissions`, {
        permissions: ['Directory.ReadWrite.All'],
      }),
    );
  });

  it('A’s client credentials do not work at B’s token endpoint', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/${tenantB.tenantSlug}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: appA.appId,
        client_secret: appA.secretText,
        scope: `${TEST_BASE_URL}/.default`,
      }).toString(),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('B cannot create users on A’s domain', async () => {
    const body = newUser(ctx.domain);
    expectGraphError(await b.post('/users', body), 400, 'Request_InvalidValue');
    // The same UPN in B's own domain is fine: UPN uniqueness is per tenant.
    const local = userA.userPrincipalName.split('@')[0]!;
    const own = await b.post('/users', newUser(domainB, { userPrincipalName: `${local}@${domainB}` }));
    expect(own.statusCode, own.body).toBe(201);
  });

  it('B’s lists, filters and searches never contain A’s objects', async () => {
    const aIds = [userA.id, otherUserA.id, groupA.id, appA.id, appA.appId, ctx.tenant.tenantId];
    const f = (filter: string) => encodeURIComponent(filter);
    const paths = [
      '/users?$top=999',
      '/users?$top=999&$count=true',
      `/users?$filter=${f(`id eq '${userA.id}'`)}`,
      `/users?$filter=${f(`id in ('${userA.id}','${otherUserA.id}')`)}`,
      `/users?$filter=${f(`userPrincipalName eq '${userA.userPrincipalName}'`)}`,
      `/users?$filter=${f("startswith(displayName,'A')")}`,
      `/users?$search=${f('"displayName:of A"')}`,
      `/users/${userB.id}/memberOf`,
      '/groups?$top=999',
      `/groups?$filter=${f(`id eq '${groupA.id}'`)}`,
      `/groups?$search=${f('"displayName:of A"')}`,
      '/applications?$top=999',
      `/applications?$filter=${f(`appId eq '${appA.appId}'`)}`,
      '/auditLogs/directoryAudits?$top=999',
      `/auditLogs/directoryAudits?$filter=${f("activityDisplayName eq 'Add user'")}`,
      '/organization',
      '/policies/authorizationPolicy',
    ];
    for (const path of paths) {
      const response = await b.get(path);
      expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
      for (const id of aIds) expect(response.body, `${path} leaks ${id}`).not.toContain(id);
      expect(response.body).not.toContain('of A');
    }
    const filtered = await b.get(`/users?$count=true&$filter=${f(`id eq '${userA.id}'`)}`);
    expect(filtered.json()).toMatchObject({ '@odata.count': 0, value: [] });
  });

  it('a $skiptoken minted for A’s list pages B’s own list only', async () => {
    const pageA = await ctx.api.get('/users?$top=1');
    const link = (pageA.json() as { '@odata.nextLink': string })['@odata.nextLink'];
    const response = await b.get(link.slice(`${TEST_BASE_URL}/v1.0`.length));
    expect(response.statusCode, response.body).toBe(200);
    for (const id of [userA.id, otherUserA.id]) expect(response.body).not.toContain(id);
  });

  it('B’s policy change does not touch A’s policy', async () => {
    expect((await b.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'none' })).statusCode).toBe(
      204,
    );
    expect((await b.get('/policies/authorizationPolicy')).json()).toMatchObject({ allowInvitesFrom: 'none' });
    expect((await ctx.api.get('/policies/authorizationPolicy')).json()).toMatchObject({
      allowInvitesFrom: 'everyone',
    });
  });

  it('after all of B’s attempts, tenant A is exactly as it was', async () => {
    const after = await snapshot();
    // The only difference B may cause: none. (Policy and audit log included.)
    expect(after).toEqual(snapshotA);
    expect(JSON.parse(after[`/groups/${groupA.id}/members?$select=id`]!)).toMatchObject({
      value: [{ id: userA.id }],
    });
    const app = JSON.parse(after[`/applications/${appA.id}`]!) as {
      passwordCredentials: unknown[];
      grantedPermissions: string[];
    };
    expect(app.passwordCredentials).toHaveLength(1);
    expect(app.grantedPermissions).toEqual(['User.Read.All']);
    // And A's own token still works on A's objects.
    expect((await appA.api.get(`/users/${userA.id}`)).statusCode).toBe(200);
  });
});
