import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';

describe.each(testDialects())('query options on a single object, on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let ids: { user: string; group: string; application: string };
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    const group = await admin.post('/v1.0/groups', {
      displayName: 'Ops',
      mailNickname: 'ops',
      mailEnabled: false,
      securityEnabled: true,
    });
    const application = await admin.post('/v1.0/applications', { displayName: 'Portal' });
    const user = (await admin.get(`/v1.0/users/${t.tenant.adminUserPrincipalName}`)).json();
    ids = { user: user.id, group: group.json().id, application: application.json().id };
  });
  afterAll(() => t.close());

  it.each([
    ['users', 'user'],
    ['groups', 'group'],
    ['applications', 'application'],
  ] as const)('/%s/{id} takes $select and refuses anything else', async (set, key) => {
    const selected = await admin.get(`/v1.0/${set}/${ids[key]}?$select=id,displayName`);
    expect(selected.statusCode).toBe(200);
    expect(Object.keys(selected.json()).sort()).toEqual(['@odata.context', 'displayName', 'id']);
    for (const option of ["$filter=displayName eq 'x'", '$top=1', '$orderby=displayName', '$count=true']) {
      const refused = await admin.get(`/v1.0/${set}/${ids[key]}?${option}`);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('Request_UnsupportedQuery');
    }
  });
});
