import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/database.js';
import {
  createGroup,
  createUser,
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  ids,
  newGroup,
  TEST_BASE_URL,
  UUID_PATTERN,
  walkPages,
} from './support.js';

type Group = Record<string, unknown> & { id: string; displayName: string };

const groupProperties = [
  'id',
  'displayName',
  'description',
  'mailNickname',
  'mailEnabled',
  'securityEnabled',
  'groupTypes',
  'createdDateTime',
  'mail',
  'visibility',
];

describe.each(testDialects())('groups on %s', (dialect) => {
  let ctx: DirectoryContext;
  beforeAll(async () => {
    ctx = await directoryContext(dialect);
  });
  afterAll(async () => ctx?.close());

  const userRef = (id: string) => ({ '@odata.id': `${TEST_BASE_URL}/v1.0/directoryObjects/${id}` });
  const memberIds = async (groupId: string) => {
    const response = await ctx.api.get(`/groups/${groupId}/members`);
    expect(response.statusCode, response.body).toBe(200);
    return ids((response.json() as { value: Group[] }).value).sort();
  };
  const groupsNamed = async (displayName: string) => {
    const filter = encodeURIComponent(`displayName eq '${displayName}'`);
    const response = await ctx.api.get(`/groups?$count=true&$filter=${filter}`);
    return (response.json() as { '@odata.count': number })['@odata.count'];
  };

  describe('create, read, update, delete', () => {
    it('creates a security group: 201, Location, the Graph group shape', async () => {
      const body = newGroup({ description: 'Finance team' });
      const response = await ctx.api.post('/groups', body);
      expect(response.statusCode, response.body).toBe(201);
      const group = response.json() as Group;
      expect(group.id).toMatch(UUID_PATTERN);
      expect(response.headers.location).toBe(`${TEST_BASE_URL}/v1.0/groups/${group.id}`);
      expect(Object.keys(group).sort()).toEqual(['@odata.context', ...groupProperties].sort());
      expect(group).toMatchObject({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#groups/$entity`,
        displayName: body.displayName,
        description: 'Finance team',
        mailNickname: body.mailNickname,
        mailEnabled: false,
        securityEnabled: true,
        groupTypes: [],
      });
      const read = await ctx.api.get(`/groups/${group.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(group);
    });

    it('GET /groups/{id} honours $select', async () => {
      const group = await createGroup(ctx.api);
      const response = await ctx.api.get(`/groups/${group.id}?$select=displayName,securityEnabled`);
      expect(response.json()).toEqual({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#groups(displayName,securityEnabled)/$entity`,
        displayName: group.displayName,
        securityEnabled: true,
      });
    });

    it('PATCH updates (204); unknown properties are a 400 and change nothing', async () => {
      const group = await createGroup(ctx.api);
      const patched = await ctx.api.patch(`/groups/${group.id}`, {
        description: 'Updated',
        displayName: 'Renamed group',
      });
      expect(patched.statusCode, patched.body).toBe(204);
      expect((await ctx.api.get(`/groups/${group.id}`)).json()).toMatchObject({
        displayName: 'Renamed group',
        description: 'Updated',
      });
      expectGraphError(
        await ctx.api.patch(`/groups/${group.id}`, { displayName: 'Again', mailEnabled: true }),
        400,
        'Request_BadRequest',
      );
      expect((await ctx.api.get(`/groups/${group.id}`)).json()).toMatchObject({
        displayName: 'Renamed group',
      });
    });

    it('DELETE removes the group (204), then it is a 404', async () => {
      const group = await createGroup(ctx.api);
      expect((await ctx.api.delete(`/groups/${group.id}`)).statusCode).toBe(204);
      expectGraphError(await ctx.api.get(`/groups/${group.id}`), 404, 'Request_ResourceNotFound');
      expectGraphError(await ctx.api.delete(`/groups/${group.id}`), 404, 'Request_ResourceNotFound');
      expectGraphError(await ctx.api.get(`/groups/${group.id}/members`), 404, 'Request_ResourceNotFound');
    });

    it('unknown ids are 404; malformed ids are 400', async () => {
      const unknown = randomUUID();
      expectGraphError(await ctx.api.get(`/groups/${unknown}`), 404, 'Request_ResourceNotFound');
      expectGraphError(
        await ctx.api.patch(`/groups/${unknown}`, { displayName: 'x' }),
        404,
        'Request_ResourceNotFound',
      );
      expectGraphError(await ctx.api.get('/groups/not-a-guid'), 400, 'Request_BadRequest');
    });

    it('only security groups: Microsoft 365 / mail-enabled groups and unknown fields are a 400, nothing written', async () => {
      for (const body of [
        newGroup({ displayName: 'Bad M365', mailEnabled: true }),
        newGroup({ displayName: 'Bad M365', securityEnabled: false }),
        newGroup({ displayName: 'Bad M365', groupTypes: ['Unified'] }),
        newGroup({ displayName: 'Bad M365', visibility: 'Private' }),
        newGroup({ displayName: 'Bad M365', mailNickname: 'has space' }),
      ]) {
        expectGraphError(await ctx.api.post('/groups', body), 400, 'Request_BadRequest');
      }
      expect(await groupsNamed('Bad M365')).toBe(0);
    });
  });

  describe('members', () => {
    it('$ref add → members lists the user (as #microsoft.graph.user) → memberOf lists the group → $ref remove', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      const group = await createGroup(ctx.api);
      const added = await ctx.api.post(`/groups/${group.id}/members/$ref`, userRef(user.id));
      expect(added.statusCode, added.body).toBe(204);

      const members = await ctx.api.get(`/groups/${group.id}/members`);
      expect(members.statusCode).toBe(200);
      expect(members.json()).toMatchObject({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#directoryObjects`,
        value: [
          { '@odata.type': '#microsoft.graph.user', id: user.id, userPrincipalName: user.userPrincipalName },
        ],
      });

      const memberOf = await ctx.api.get(`/users/${user.id}/memberOf`);
      expect(memberOf.statusCode, memberOf.body).toBe(200);
      expect(memberOf.json()).toMatchObject({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#directoryObjects`,
        value: [{ '@odata.type': '#microsoft.graph.group', id: group.id, displayName: group.displayName }],
      });
      const byUpn = await ctx.api.get(`/users/${encodeURIComponent(user.userPrincipalName)}/memberOf`);
      expect(ids((byUpn.json() as { value: Group[] }).value)).toEqual([group.id]);

      const removed = await ctx.api.delete(`/groups/${group.id}/members/${user.id}/$ref`);
      expect(removed.statusCode, removed.body).toBe(204);
      expect(await memberIds(group.id)).toEqual([]);
      expect((await ctx.api.get(`/users/${user.id}/memberOf`)).json()).toMatchObject({ value: [] });
      expectGraphError(
        await ctx.api.delete(`/groups/${group.id}/members/${user.id}/$ref`),
        404,
        'Request_ResourceNotFound',
      );
    });

    it('deleting a user or a group removes the membership on both sides', async () => {
      const [stays, leaves] = [await createUser(ctx.api, ctx.domain), await createUser(ctx.api, ctx.domain)];
      const group = await createGroup(ctx.api, {
        'members@odata.bind': [stays.id, leaves.id].map((id) => userRef(id)['@odata.id']),
      });
      expect((await ctx.api.delete(`/users/${leaves.id}`)).statusCode).toBe(204);
      expect(await memberIds(group.id)).toEqual([stays.id]);
      expect((await ctx.api.delete(`/groups/${group.id}`)).statusCode).toBe(204);
      expect((await ctx.api.get(`/users/${stays.id}/memberOf`)).json()).toMatchObject({ value: [] });
    });

    it('accepts a /users/{id} reference as well as /directoryObjects/{id}', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      const group = await createGroup(ctx.api);
      const response = await ctx.api.post(`/groups/${group.id}/members/$ref`, {
        '@odata.id': `https://graph.microsoft.com/v1.0/users/${user.id}`,
      });
      expect(response.statusCode, response.body).toBe(204);
      expect(await memberIds(group.id)).toEqual([user.id]);
    });

    it('adding a member twice is a 400; the member is listed once', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      const group = await createGroup(ctx.api);
      await ctx.api.post(`/groups/${group.id}/members/$ref`, userRef(user.id));
      expectGraphError(
        await ctx.api.post(`/groups/${group.id}/members/$ref`, userRef(user.id)),
        400,
        'Request_BadRequest',
      );
      expect(await memberIds(group.id)).toEqual([user.id]);
    });

    it('bad $ref bodies are 400; unknown users or groups are 404; nothing is added', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      const group = await createGroup(ctx.api);
      for (const body of [
        {},
        { '@odata.id': 'not a url' },
        { '@odata.id': `${TEST_BASE_URL}/v1.0/groups/${user.id}` },
        { '@odata.id': `${TEST_BASE_URL}/v1.0/users/${user.id}`, extra: true },
        { '@odata.id': 42 },
      ]) {
        expectGraphError(
          await ctx.api.post(`/groups/${group.id}/members/$ref`, body),
          400,
          'Request_BadRequest',
        );
      }
      expectGraphError(
        await ctx.api.post(`/groups/${group.id}/members/$ref`, userRef(randomUUID())),
        404,
        'Request_ResourceNotFound',
      );
      expectGraphError(
        await ctx.api.post(`/groups/${randomUUID()}/members/$ref`, userRef(user.id)),
        404,
        'Request_ResourceNotFound',
      );
      expect(await memberIds(group.id)).toEqual([]);
    });

    it('members@odata.bind adds members at creation', async () => {
      const a = await createUser(ctx.api, ctx.domain);
      const b = await createUser(ctx.api, ctx.domain);
      const group = await createGroup(ctx.api, {
        'members@odata.bind': [userRef(a.id)['@odata.id'], `${TEST_BASE_URL}/v1.0/users/${b.id}`],
        'owners@odata.bind': [userRef(a.id)['@odata.id']],
      });
      expect(await memberIds(group.id)).toEqual([a.id, b.id].sort());
    });

    it('a group whose members@odata.bind names an unknown object writes nothing (no group, no audit entry)', async () => {
      const real = await createUser(ctx.api, ctx.domain);
      const auditBefore = await ctx.api.get(`/auditLogs/directoryAudits?$count=true&$top=1`);
      const before = (auditBefore.json() as { '@odata.count': number })['@odata.count'];
      const displayName = 'Doomed group';
      for (const binds of [
        { 'members@odata.bind': [userRef(real.id)['@odata.id'], userRef(randomUUID())['@odata.id']] },
        { 'owners@odata.bind': [userRef(randomUUID())['@odata.id']] },
        { 'members@odata.bind': ['https://example.com/v1.0/nothing/here'] },
      ]) {
        const response = await ctx.api.post('/groups', newGroup({ displayName, ...binds }));
        expectGraphError(response, 400, 'Request_BadRequest');
      }
      expect(await groupsNamed(displayName)).toBe(0);
      const memberOf = await ctx.api.get(`/users/${real.id}/memberOf`);
      expect((memberOf.json() as { value: unknown[] }).value).toEqual([]);
      const auditAfter = await ctx.api.get(`/auditLogs/directoryAudits?$count=true&$top=1`);
      expect((auditAfter.json() as { '@odata.count': number })['@odata.count']).toBe(before);
    });

    it('OData on members and memberOf: $filter, $select, $count, paging', async () => {
      const group = await createGroup(ctx.api);
      const users = [];
      for (const name of ['Member One', 'Member Two', 'Member Three']) {
        const user = await createUser(ctx.api, ctx.domain, { displayName: name });
        users.push(user);
        await ctx.api.post(`/groups/${group.id}/members/$ref`, userRef(user.id));
      }
      const filtered = await ctx.api.get(
        `/groups/${group.id}/members?$count=true&$select=displayName&$filter=${encodeURIComponent("startswith(displayName,'Member T')")}`,
      );
      expect(filtered.statusCode, filtered.body).toBe(200);
      expect(filtered.json()).toMatchObject({
        '@odata.count': 2,
        value: [
          { '@odata.type': '#microsoft.graph.user', displayName: 'Member Three' },
          { '@odata.type': '#microsoft.graph.user', displayName: 'Member Two' },
        ],
      });
      const walked = await walkPages(ctx.api, `/groups/${group.id}/members?$top=1`);
      expect(walked.pages).toBe(3);
      expect(ids(walked.items).sort()).toEqual(ids(users).sort());

      const second = await createGroup(ctx.api, { displayName: 'Zeta group' });
      await ctx.api.post(`/groups/${second.id}/members/$ref`, userRef(users[0]!.id));
      const memberOf = await walkPages<Group>(ctx.api, `/users/${users[0]!.id}/memberOf?$top=1&$select=id`);
      expect(ids(memberOf.items).sort()).toEqual([group.id, second.id].sort());
      const bad = await ctx.api.get(`/groups/${group.id}/members?$filter=${encodeURIComponent('nope eq 1')}`);
      expectGraphError(bad, 400, 'Request_UnsupportedQuery');
    });
  });

  describe('OData on /groups', () => {
    const names = ['Alpha Team', 'alpha squad', 'Beta Team', 'Gamma Team', 'Delta Crew'];
    const mine = (body: { value: Group[] }) =>
      body.value.map((g) => g.displayName).filter((n) => names.includes(n));
    const list = async (query: string) => {
      const response = await ctx.api.get(`/groups?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { value: Group[]; '@odata.count'?: number; '@odata.context': string };
    };
    beforeAll(async () => {
      for (const displayName of names) {
        await createGroup(ctx.api, {
          displayName,
          description: displayName.endsWith('Team') ? 'team' : null,
        });
      }
    });

    it('$filter startswith / eq / ne / and / or / in', async () => {
      const f = (filter: string) => `$filter=${encodeURIComponent(filter)}`;
      expect(mine(await list(f("startswith(displayName,'alpha')")))).toEqual(['alpha squad', 'Alpha Team']);
      expect(mine(await list(f("description eq 'team' and startswith(displayName, 'B')")))).toEqual([
        'Beta Team',
      ]);
      expect(mine(await list(f("displayName eq 'Delta Crew' or displayName eq 'gamma team'")))).toEqual([
        'Delta Crew',
        'Gamma Team',
      ]);
      expect(mine(await list(f("displayName in ('Beta Team','Delta Crew')")))).toEqual([
        'Beta Team',
        'Delta Crew',
      ]);
      expect(mine(await list(f("description ne 'team'")))).toEqual(['alpha squad', 'Delta Crew']);
    });

    it('$orderby desc, $select, $count, $search', async () => {
      expect(mine(await list('$orderby=displayName desc'))).toEqual([
        'Gamma Team',
        'Delta Crew',
        'Beta Team',
        'Alpha Team',
        'alpha squad',
      ]);
      const selected = await list(
        `$select=displayName&$filter=${encodeURIComponent("displayName eq 'Beta Team'")}`,
      );
      expect(selected['@odata.context']).toBe(`${TEST_BASE_URL}/v1.0/$metadata#groups(displayName)`);
      expect(selected.value).toEqual([{ displayName: 'Beta Team' }]);
      const unsupported = await ctx.api.get(
        `/groups?$filter=${encodeURIComponent("endswith(displayName,'x')")}`,
      );
      expectGraphError(unsupported, 400, 'Request_UnsupportedQuery');
      expect(
        (await list(`$count=true&$top=1&$search=${encodeURIComponent('"displayName:team"')}`))[
          '@odata.count'
        ],
      ).toBe(3);
      expect(mine(await list(`$search=${encodeURIComponent('"displayName:squad"')}`))).toEqual([
        'alpha squad',
      ]);
    });

    it('@odata.nextLink walks every group exactly once', async () => {
      const all = await list('$top=999');
      const walked = await walkPages<Group>(ctx.api, '/groups?$top=2&$orderby=displayName desc');
      expect(walked.items.length).toBe(all.value.length);
      expect(ids(walked.items)).toEqual(ids(all.value).reverse());
    });
  });
});
