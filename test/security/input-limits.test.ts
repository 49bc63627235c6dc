import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';

/** A 400 in the Graph envelope: what every hostile string below must get, on both dialects (never a 500). */
function expectGraphBadRequest(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body).toBe(400);
  const { error } = response.json();
  expect(error.code).toMatch(/^Request_/);
  expect(error.innerError['request-id']).toBe(response.headers['request-id']);
}

/** Random characters of the given UTF-8 width: random, so PostgreSQL cannot compress them into its index. */
const randomText = (length: number, from: number) =>
  Array.from({ length }, () => String.fromCodePoint(from + Math.floor(Math.random() * 2000))).join('');

describe.each(testDialects())('strings are checked before SQL, on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it.each([
    ['a path segment', '/v1.0/users/ab%00cd'],
    ['$filter', "/v1.0/users?$filter=displayName eq 'a%00b'"],
    ['$search', '/v1.0/users?$search="displayName:a%00b"'],
    ['a group id', '/v1.0/groups/%00'],
  ])('a NUL in %s is a 400', async (_label, url) => {
    expectGraphBadRequest(await admin.get(url));
  });

  it('a NUL in a JSON body value or property name is a 400, and nothing is created', async () => {
    expectGraphBadRequest(
      await admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: 'nul@fabrikam.com',
        inviteRedirectUrl: 'https://apps.contoso.example/',
        invitedUserDisplayName: 'Nul\u0000Byte',
      }),
    );
    expectGraphBadRequest(
      await admin.post('/v1.0/groups', {
        displayName: 'ok',
        mailEnabled: false,
        mailNickname: 'ok',
        securityEnabled: true,
        'x\u0000y': 1,
      }),
    );
    const list = (await admin.get("/v1.0/users?$filter=mail eq 'nul@fabrikam.com'&$count=true")).json();
    expect(list['@odata.count']).toBe(0);
  });

  it('a NUL in a form field (the block page) is a 400', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/invitations/block',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'tenant=a%00b&invitation=x&sig=y&blocked=true',
    });
    expectGraphBadRequest(response);
  });

  it('a NUL in the tenant of a protocol URL is a 400; in a client_id, an OAuth error, not a 500', async () => {
    const discovery = await t.app.inject({
      method: 'GET',
      url: '/con%00toso/v2.0/.well-known/openid-configuration',
    });
    expectGraphBadRequest(discovery);
    const token = await t.app.inject({
      method: 'POST',
      url: `/${t.tenant.tenantSlug}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'a\u0000b',
        client_secret: 'x',
        scope: 'https://foyer.test/.default',
      }).toString(),
    });
    expect(token.statusCode).toBe(401);
    expect(token.json().error).toBe('invalid_client');
  });

  it('identities too long in UTF-8 for the index are a 400; the same count of ASCII is accepted', async () => {
    const user = (suffix: string, issuer: string, issuerAssignedId: string) => ({
      accountEnabled: true,
      displayName: 'Wide',
      mailNickname: `wide${suffix}`,
      userPrincipalName: `wide${suffix}@contoso.foyer.localhost`,
      userType: 'Guest',
      identities: [{ signInType: 'federated', issuer, issuerAssignedId }],
    });
    // 512 CJK characters (1.5 KB) and 250 supplementary-plane ones (1 KB): together past PostgreSQL's index cap.
    const wide = await admin.post(
      '/v1.0/users',
      user('1', randomText(512, 0x4e00), randomText(250, 0x20000)),
    );
    expectGraphBadRequest(wide);
    expect(wide.json().error.message).toContain('identities.0.issuer');
    const ascii = await admin.post(
      '/v1.0/users',
      user('2', `https://${'a'.repeat(490)}.example`, 'b'.repeat(512)),
    );
    expect(ascii.statusCode, ascii.body).toBe(201);
  });
});
