import { randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTenantSigningKeys } from '../../src/oidc/keys.js';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { provisionOtherTenant } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { graphClient, tokenFor, V1 } from '../helpers/graph.js';
import {
  createUser,
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  newUser,
  TEST_BASE_URL,
  UUID_PATTERN,
} from './support.js';

describe.each(testDialects())('errors and request ids on %s', (dialect) => {
  let ctx: DirectoryContext;
  let other: ProvisionedTenant;
  let otherToken: string;
  const clock = movableClock();
  beforeAll(async () => {
    ctx = await directoryContext(dialect, { clock });
    other = await provisionOtherTenant(ctx);
    // Tenant B's first token is issued (and its signing key generated) before any test presents a forged one.
    otherToken = await tokenFor(ctx.app, other);
  });
  afterAll(async () => ctx?.close());

  const usersNamed = async (displayName: string) => {
    const filter = encodeURIComponent(`displayName eq '${displayName}'`);
    const response = await ctx.api.get(`/users?$count=true&$filter=${filter}`);
    return (response.json() as { '@odata.count': number })['@odata.count'];
  };
  const raw = (options: {
    method?: 'GET' | 'POST' | 'PATCH';
    url?: string;
    headers?: Record<string, string>;
    payload?: string | Buffer;
  }) =>
    ctx.app.inject({
      method: options.method ?? 'POST',
      url: options.url ?? '/v1.0/users',
      headers: { authorization: `Bearer ${ctx.api.token}`, ...options.headers },
      ...(options.payload !== undefined && { payload: options.payload }),
    });

  describe('request-id and client-request-id', () => {
    it('every response carries a fresh request-id, whatever the route or status', async () => {
      const responses = await Promise.all([
        ctx.api.get('/users'),
        ctx.api.post('/users', newUser(ctx.domain)),
        ctx.api.get(`/users/${randomUUID()}`),
        ctx.app.inject({ method: 'GET', url: '/v1.0/users' }),
        ctx.app.inject({ method: 'GET', url: '/v1.0/nothing-here' }),
        ctx.app.inject({ method: 'GET', url: '/healthz' }),
        ctx.app.inject({ method: 'GET', url: '/readyz' }),
        ctx.app.inject({ method: 'GET', url: '/metrics' }),
        ctx.app.inject({ method: 'GET', url: '/openapi.json' }),
        ctx.app.inject({
          method: 'GET',
          url: `/${ctx.tenant.tenantSlug}/v2.0/.well-known/openid-configuration`,
        }),
        ctx.app.inject({ method: 'GET', url: `/${ctx.tenant.tenantSlug}/discovery/v2.0/keys` }),
        ctx.app.inject({
          method: 'POST',
          url: `/${ctx.tenant.tenantSlug}/oauth2/v2.0/token`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'grant_type=client_credentials',
        }),
      ]);
      expect(responses.map((r) => r.statusCode)).toEqual([
        200, 201, 404, 401, 404, 200, 200, 200, 200, 200, 200, 400,
      ]);
      const requestIds = responses.map((r) => r.headers['request-id']);
      for (const id of requestIds) expect(id).toMatch(UUID_PATTERN);
      expect(new Set(requestIds).size).toBe(requestIds.length);
    });

    it('echoes client-request-id in the header and in innerError; ignores a client-sent request-id', async () => {
      const clientRequestId = 'my-correlation-1234';
      const ok = await ctx.api.get('/users?$top=1', {
        'client-request-id': clientRequestId,
        'request-id': 'forged',
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['client-request-id']).toBe(clientRequestId);
      expect(ok.headers['request-id']).toMatch(UUID_PATTERN);

      const failed = await ctx.api.get(`/users/${randomUUID()}`, { 'client-request-id': clientRequestId });
      const error = expectGraphError(failed, 404, 'Request_ResourceNotFound');
      expect(failed.headers['client-request-id']).toBe(clientRequestId);
      expect(error.innerError).toEqual({
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': failed.headers['request-id'],
        'client-request-id': clientRequestId,
      });
    });

    it('without client-request-id, innerError carries the request-id in its place and no header is invented', async () => {
      const failed = await ctx.api.get(`/users/${randomUUID()}`);
      const error = expectGraphError(failed, 404, 'Request_ResourceNotFound');
      expect(error.innerError['client-request-id']).toBe(failed.headers['request-id']);
      expect(failed.headers['client-request-id']).toBeUndefined();
    });

    it('errors raised by the router itself (bad percent-encoding, an over-long segment) carry the envelope and ids', async () => {
      for (const path of ['/users/%E0%A4%A', `/users/${'x'.repeat(3000)}`]) {
        const response = await ctx.api.get(path, { 'client-request-id': 'router-error' });
        const error = expectGraphError(response, 400, 'Request_BadRequest');
        expect(response.headers['request-id']).toMatch(UUID_PATTERN);
        expect(response.headers['client-request-id']).toBe('router-error');
        expect(error.innerError['client-request-id']).toBe('router-error');
      }
    });

    it('unknown routes answer in the Graph envelope', async () => {
      expectGraphError(await ctx.api.get('/nothing-here'), 404, 'UnknownError');
      expectGraphError(await ctx.app.inject({ method: 'GET', url: '/nowhere' }), 404, 'UnknownError');
    });
  });

  describe('request bodies: 4xx with a stable code, never a 500, never a partial write', () => {
    it('malformed JSON is 400 Request_BadRequest', async () => {
      for (const payload of ['{"displayName":', '{displayName: "x"}', "{'a':1}", '{"a":1}}', 'null']) {
        const response = await raw({ headers: { 'content-type': 'application/json' }, payload });
        expectGraphError(response, 400, 'Request_BadRequest');
      }
    });

    it('an empty JSON body is 400', async () => {
      expectGraphError(
        await raw({ headers: { 'content-type': 'application/json' }, payload: '' }),
        400,
        'Request_BadRequest',
      );
    });

    it('__proto__ / constructor pollution attempts are refused with a 400', async () => {
      const body = JSON.stringify(newUser(ctx.domain, { displayName: 'Polluter' })).replace(
        /^\{/,
        '{"__proto__":{"isAdmin":true},',
      );
      expectGraphError(
        await raw({ headers: { 'content-type': 'application/json' }, payload: body }),
        400,
        'Request_BadRequest',
      );
      expect(await usersNamed('Polluter')).toBe(0);
    });

    it('a wrong content type is 415 Request_UnsupportedMediaType and writes nothing', async () => {
      const body = newUser(ctx.domain, { displayName: 'Wrong type' });
      for (const contentType of [
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ]) {
        const response = await raw({
          headers: { 'content-type': contentType },
          payload: JSON.stringify(body),
        });
        expectGraphError(response, 415, 'Request_UnsupportedMediaType');
      }
      expect(await usersNamed('Wrong type')).toBe(0);
    });

    it('application/json with a charset parameter is accepted', async () => {
      const response = await raw({
        headers: { 'content-type': 'application/json; charset=utf-8' },
        payload: JSON.stringify(newUser(ctx.domain)),
      });
      expect(response.statusCode, response.body).toBe(201);
    });

    it('a body over 1 MiB is 413 Request_EntityTooLarge and writes nothing', async () => {
      const body = JSON.stringify(
        newUser(ctx.domain, { displayName: 'Huge', jobTitle: 'x'.repeat(1024 * 1024) }),
      );
      expect(body.length).toBeGreaterThan(1024 * 1024);
      const response = await raw({ headers: { 'content-type': 'application/json' }, payload: body });
      expectGraphError(response, 413, 'Request_EntityTooLarge');
      expect(await usersNamed('Huge')).toBe(0);
      const patch = await raw({
        method: 'PATCH',
        url: `/v1.0/users/${(await createUser(ctx.api, ctx.domain)).id}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ jobTitle: 'y'.repeat(1024 * 1024 + 10) }),
      });
      expectGraphError(patch, 413, 'Request_EntityTooLarge');
    });

    it('a body just under the limit is parsed and validated (400 for an over-long field), not refused as too large', async () => {
      const body = JSON.stringify(newUser(ctx.domain, { jobTitle: 'x'.repeat(1000 * 1000) }));
      expect(body.length).toBeLessThan(1024 * 1024);
      expectGraphError(
        await raw({ headers: { 'content-type': 'application/json' }, payload: body }),
        400,
        'Request_BadRequest',
      );
    });

    it('unknown fields and wrong types are 400 and name the property', async () => {
      const unknownField = expectGraphError(
        await ctx.api.post('/users', newUser(ctx.domain, { displayName: 'Extra field', isAdmin: true })),
        400,
        'Request_BadRequest',
      );
      expect(unknownField.message).toMatch(/isAdmin/);
      const wrongType = expectGraphError(
        await ctx.api.post(
          '/users',
          newUser(ctx.domain, { displayName: 'Wrong type', accountEnabled: 'true' }),
        ),
        400,
        'Request_BadRequest',
      );
      expect(wrongType.message).toMatch(/accountEnabled/);
      expect(await usersNamed('Extra field')).toBe(0);
    });

    it('odd requests never produce a 500', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      const requests = [
        ctx.api.post('/users', 'x'.repeat(10)),
        ctx.api.post('/users', '[]'),
        ctx.api.post('/users', '"string"'),
        ctx.api.post('/users', '12'),
        ctx.api.post('/users', newUser(ctx.domain, { displayName: 'x'.repeat(10_000) })),
        ctx.api.post(
          '/users',
          newUser(ctx.domain, { userPrincipalName: `${'a'.repeat(300)}@${ctx.domain}` }),
        ),
        ctx.api.post(
          '/users',
          newUser(ctx.domain, { identities: [{ signInType: 'federated', issuer: '' }] }),
        ),
        ctx.api.post('/users', newUser(ctx.domain, { otherMails: Array(100).fill('a@b.co') })),
        ctx.api.post('/users', newUser(ctx.domain, { preferredLanguage: 'not a language' })),
        ctx.api.patch(`/users/${user.id}`, { displayName: null }),
        ctx.api.patch(`/users/${user.id}`, []),
        ctx.api.patch(`/users/${'x'.repeat(300)}`, { displayName: 'a' }),
        ctx.api.get(`/users/${'x'.repeat(3000)}`),
        ctx.api.get('/users/%E0%A4%A'),
        ctx.api.get(`/groups/${'%41'.repeat(500)}/members`),
        ctx.api.get(`/users/${encodeURIComponent("' or 1=1 --")}`),
        ctx.api.get(`/users/${encodeURIComponent('%00')}`),
        ctx.api.post('/groups', {
          displayName: 'g',
          mailNickname: 'g',
          mailEnabled: false,
          securityEnabled: true,
          'members@odata.bind': 'nope',
        }),
        ctx.api.post('/groups', {
          displayName: 'g',
          mailNickname: 'g',
          mailEnabled: false,
          securityEnabled: true,
          'members@odata.bind': Array(50).fill(`${TEST_BASE_URL}/v1.0/users/${user.id}`),
        }),
        ctx.api.post(`/groups/${randomUUID()}/members/$ref`, {
          '@odata.id': `${TEST_BASE_URL}/v1.0/users/${'z'.repeat(3000)}`,
        }),
        ctx.api.post('/applications', { displayName: 'a', web: { redirectUris: 'https://x' } }),
        ctx.api.post('/applications', { displayName: 'a', appRoles: [{ id: 'not-a-guid' }] }),
        ctx.api.post(`/applications/${randomUUID()}/addPassword`, 'null'),
        ctx.api.patch('/policies/authorizationPolicy', 'null'),
        ctx.api.request('PATCH', '/users'),
        ctx.api.request('DELETE', '/users'),
        ctx.api.request('POST', `/users/${user.id}`),
      ];
      for (const response of await Promise.all(requests)) {
        expect(response.statusCode, `${response.statusCode} ${response.body}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${response.statusCode} ${response.body}`).toBeLessThan(500);
        expect(response.json(), response.body).toMatchObject({
          error: { code: expect.stringMatching(/^[A-Za-z_]+$/) },
        });
      }
    });
  });

  describe('OData: bad queries are 400, injected text matches nothing', () => {
    const bad = async (query: string) =>
      expectGraphError(await ctx.api.get(`/users?${query}`), 400, 'Request_UnsupportedQuery');

    it('incomplete or unknown filter syntax is a 400', async () => {
      for (const filter of [
        'foo eq',
        "displayName eq 'x",
        "foo eq 'x'",
        "password_hash eq 'x'",
        "display_name eq 'x'",
        "displayName gt 'x'",
        "contains(displayName,'x')",
        "displayName eq 'x' or '1' eq '1'",
        '1 eq 1',
        "userType eq 'Alien'",
        "identities/all(i:i/issuer eq 'x')",
        "otherMails/any(m:m eq 'x')",
        '((((((((((((((((((((((((((((((((((((((((((((((((((',
      ]) {
        await bad(`$filter=${encodeURIComponent(filter)}`);
      }
    });

    it("quotes cannot break out of a literal: displayName eq 'x'' or 1 eq 1' matches nothing", async () => {
      await createUser(ctx.api, ctx.domain, { displayName: "x' or 1 eq 1" });
      const response = await ctx.api.get(
        `/users?$filter=${encodeURIComponent("displayName eq 'x'' or 1 eq 1'")}`,
      );
      expect(response.statusCode, response.body).toBe(200);
      expect(
        (response.json() as { value: Array<{ displayName: string }> }).value.map((u) => u.displayName),
      ).toEqual(["x' or 1 eq 1"]);
      for (const filter of [
        "displayName eq 'nobody'' or ''1''=''1'",
        "startswith(displayName, '%')",
        "startswith(displayName, '_')",
      ]) {
        const none = await ctx.api.get(`/users?$filter=${encodeURIComponent(filter)}`);
        expect(none.statusCode, none.body).toBe(200);
        expect((none.json() as { value: unknown[] }).value).toEqual([]);
      }
      const search = await ctx.api.get(`/users?$search=${encodeURIComponent(`"displayName:%' OR 1=1 --"`)}`);
      expect(search.statusCode, search.body).toBe(200);
      expect((search.json() as { value: unknown[] }).value).toEqual([]);
    });

    it('$top out of range, unknown or repeated options, bad $select/$orderby/$count/$search/$skiptoken are 400', async () => {
      for (const query of [
        '$top=100000',
        '$top=1000',
        '$top=0',
        '$top=-1',
        '$top=abc',
        '$expand=x',
        '$expand=memberOf',
        '$skip=10',
        '$format=json',
        '$apply=groupby(displayName)',
        '$select=password_hash',
        '$select=id,,displayName',
        '$orderby=mail',
        '$orderby=displayName sideways',
        '$orderby=displayName,id',
        '$count=yes',
        '$search=ada',
        `$search=${encodeURIComponent('"password:x"')}`,
        '$skiptoken=garbage!',
        `$skiptoken=${Buffer.from('{"v":1}').toString('base64url')}`,
      ]) {
        await bad(query);
      }
      // A repeated option fails the query-string schema before the OData parser sees it.
      for (const query of [
        '$top=1&$top=2',
        '$filter=displayName%20eq%20%27a%27&$filter=displayName%20eq%20%27b%27',
      ]) {
        const error = expectGraphError(await ctx.api.get(`/users?${query}`), 400, 'Request_BadRequest');
        expect(error.message).toMatch(/\$top|\$filter/);
      }
    });

    it('a $skiptoken is bound to its $orderby', async () => {
      const first = await ctx.api.get('/users?$top=1&$orderby=displayName desc');
      const link = (first.json() as { '@odata.nextLink': string })['@odata.nextLink'];
      const token = new URL(link).searchParams.get('$skiptoken')!;
      await bad(`$top=1&$skiptoken=${token}`);
      expect(
        (await ctx.api.get(`/users?$top=1&$orderby=displayName desc&$skiptoken=${token}`)).statusCode,
      ).toBe(200);
    });

    it('bad OData on every other collection is a 400 too', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      for (const path of [
        '/groups',
        '/applications',
        '/auditLogs/directoryAudits',
        `/users/${user.id}/memberOf`,
      ]) {
        expectGraphError(
          await ctx.api.get(`${path}?$filter=${encodeURIComponent('foo eq')}`),
          400,
          'Request_UnsupportedQuery',
        );
        expectGraphError(await ctx.api.get(`${path}?$top=100000`), 400, 'Request_UnsupportedQuery');
        expectGraphError(await ctx.api.get(`${path}?$expand=x`), 400, 'Request_UnsupportedQuery');
      }
      expectGraphError(
        await ctx.api.get(`/users/${user.id}?$expand=memberOf`),
        400,
        'Request_UnsupportedQuery',
      );
      expectGraphError(await ctx.api.get(`/users/${user.id}?$select=nope`), 400, 'Request_UnsupportedQuery');
    });
  });

  describe('bearer tokens', () => {
    const call = (authorization?: string) =>
      ctx.app.inject({ method: 'GET', url: '/v1.0/users', headers: authorization ? { authorization } : {} });
    const refused = async (authorization?: string) =>
      expectGraphError(await call(authorization), 401, 'InvalidAuthenticationToken');

    /** A token with the real token's claims, re-signed with `key` (defaults: a key this instance never saw). */
    async function forge(
      claims: Partial<JWTPayload> & Record<string, unknown>,
      key?: { kid: string; privateKey: CryptoKey },
    ) {
      const real = decodeJwt(ctx.api.token);
      const header = decodeProtectedHeader(ctx.api.token);
      const signer = key ?? { kid: header.kid!, privateKey: (await generateKeyPair('RS256')).privateKey };
      return new SignJWT({ ...real, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signer.kid })
        .sign(signer.privateKey);
    }
    async function tenantKey(tenantId: string) {
      const keys = await loadTenantSigningKeys(ctx.app.services, tenantId);
      const jwk = keys.privateJwks[0]!;
      return { kid: jwk.kid!, privateKey: (await importJWK(jwk, 'RS256')) as CryptoKey };
    }

    it('a missing or malformed Authorization header is 401 InvalidAuthenticationToken', async () => {
      await refused();
      await refused('');
      await refused('Bearer');
      await refused('Bearer ');
      await refused(`Basic ${Buffer.from('a:b').toString('base64')}`);
      await refused(`Bearer ${ctx.api.token} extra`);
      await refused('Bearer not-a-jwt');
      await refused('Bearer a.b.c');
      await refused(`Bearer ${ctx.api.token.slice(0, -4)}AAAA`);
    });

    it('the token endpoint’s own token is accepted with any casing of "Bearer"', async () => {
      expect((await call(`bearer ${ctx.api.token}`)).statusCode).toBe(200);
    });

    it('a token signed by a key this instance does not hold is refused', async () => {
      await refused(`Bearer ${await forge({})}`);
      const foreignKey = await generateKeyPair('RS256');
      const jwk = await exportJWK(foreignKey.publicKey);
      await refused(
        `Bearer ${await new SignJWT({ ...decodeJwt(ctx.api.token) })
          .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', jwk: { ...jwk, alg: 'RS256' } })
          .sign(foreignKey.privateKey)}`,
      );
    });

    it('unsigned (alg none) and HMAC tokens are refused', async () => {
      const [header, payload] = ctx.api.token.split('.');
      const none = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(header!, 'base64url').toString()), alg: 'none' }),
      ).toString('base64url');
      await refused(`Bearer ${none}.${payload}.`);
      const hmac = await new SignJWT({ ...decodeJwt(ctx.api.token) })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .sign(new TextEncoder().encode(ctx.app.services.config.secret));
      await refused(`Bearer ${hmac}`);
    });

    it('a token signed with the tenant’s own key but for another audience, issuer or type is refused', async () => {
      const key = await tenantKey(ctx.tenant.tenantId);
      // The control: the same forging path with unchanged claims is accepted, so the refusals below are the claims'.
      expect((await call(`Bearer ${await forge({}, key)}`)).statusCode).toBe(200);
      await refused(`Bearer ${await forge({ aud: 'https://graph.microsoft.com' }, key)}`);
      await refused(`Bearer ${await forge({ iss: `${TEST_BASE_URL}/${other.tenantId}/v2.0` }, key)}`);
      await refused(`Bearer ${await forge({ exp: Math.floor(clock.now().getTime() / 1000) - 3600 }, key)}`);
      await refused(`Bearer ${await forge({ nbf: Math.floor(clock.now().getTime() / 1000) + 3600 }, key)}`);
      const typed = await new SignJWT({ ...decodeJwt(ctx.api.token) })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
        .sign(key.privateKey);
      await refused(`Bearer ${typed}`);
    });

    it('a token naming another tenant (tid) is only valid when that tenant signed it', async () => {
      const keyA = await tenantKey(ctx.tenant.tenantId);
      // Tenant A's key cannot mint tokens for tenant B…
      await refused(
        `Bearer ${await forge({ tid: other.tenantId, iss: `${TEST_BASE_URL}/${other.tenantId}/v2.0` }, keyA)}`,
      );
      // …nor for a tenant that does not exist.
      const ghost = randomUUID();
      await refused(`Bearer ${await forge({ tid: ghost, iss: `${TEST_BASE_URL}/${ghost}/v2.0` }, keyA)}`);
      await refused(`Bearer ${await forge({ tid: 'not-a-guid' }, keyA)}`);
      // Tenant B's real token works, and shows tenant B's directory.
      const organization = await graphClient(ctx.app, otherToken, V1).get('/organization');
      expect((organization.json() as { value: Array<{ id: string }> }).value[0]!.id).toBe(other.tenantId);
    });

    it('a token is refused once the clock has moved past its exp', async () => {
      const token = await tokenFor(ctx.app, ctx.tenant);
      const ttl = (decodeJwt(token).exp! - decodeJwt(token).iat!) * 1000;
      expect((await call(`Bearer ${token}`)).statusCode).toBe(200);
      clock.advance(ttl + 60_000);
      try {
        const error = await refused(`Bearer ${token}`);
        expect(error.message).toMatch(/expired/);
      } finally {
        clock.advance(-(ttl + 60_000));
      }
      expect((await call(`Bearer ${token}`)).statusCode).toBe(200);
    });
  });
});
