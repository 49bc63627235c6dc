import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DialectName, testDialects } from '../helpers/database.js';
import { tokenFor } from '../helpers/graph.js';
import { createUser, type DirectoryContext, directoryContext, newUser, TEST_BASE_URL } from './support.js';

const PUBLIC_BASE = 'https://id.example.com';

interface ProxyApp extends DirectoryContext {
  closeDatabase(): Promise<void>;
}

/**
 * An app at FOYER_BASE_URL=https://id.example.com, with one extra route that reports how Fastify read the
 * request's addressing (client IP, scheme, host): the values logs and rate limits use.
 */
async function proxyApp(dialect: DialectName, trustProxy: boolean | string): Promise<ProxyApp> {
  const ctx = await directoryContext(dialect, {
    env: { FOYER_BASE_URL: PUBLIC_BASE, FOYER_TRUST_PROXY: String(trustProxy) },
    setUp: (app) =>
      app.get('/__probe', { schema: { hide: true } }, async (request) => ({
        ip: request.ip,
        protocol: request.protocol,
        host: request.host,
      })),
  });
  let databaseOpen = true;
  return {
    ...ctx,
    async closeDatabase() {
      databaseOpen = false;
      await ctx.database.close();
    },
    async close() {
      await ctx.app.close();
      if (databaseOpen) await ctx.database.close();
    },
  };
}

const spoofing = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  'x-forwarded-for': '203.0.113.7',
};

describe.each(testDialects())('operations on %s', (dialect) => {
  let ctx: DirectoryContext;
  beforeAll(async () => {
    ctx = await directoryContext(dialect);
  });
  afterAll(async () => ctx?.close());

  describe('health', () => {
    it('/healthz answers while the process is up; /readyz when the database is reachable and migrated', async () => {
      const health = await ctx.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'ok' });
      const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready' });
    });

    it('neither needs a token', async () => {
      for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
        expect((await ctx.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
      }
    });
  });

  describe('/metrics', () => {
    it('counts requests by route template (never the raw URL) and tokens by grant', async () => {
      const user = await createUser(ctx.api, ctx.domain);
      await ctx.api.get(`/users/${user.id}`);
      await ctx.api.get(`/users/${user.id}`);
      await ctx.api.get('/users?$top=1');
      await ctx.app.inject({ method: 'GET', url: '/v1.0/users' });
      await ctx.app.inject({ method: 'GET', url: '/definitely/not/a/route' });
      await tokenFor(ctx.app, ctx.tenant);

      const response = await ctx.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const lines = response.body.split('\n');
      const value = (series: string) => {
        const line = lines.find((l) => l.startsWith(`${series} `));
        expect(line, `${series} in /metrics`).toBeDefined();
        return Number(line!.slice(series.length + 1));
      };
      expect(response.body).toContain('# TYPE foyer_http_requests_total counter');
      expect(value('foyer_http_requests_total{method="GET",route="/v1.0/users/:id",status="200"}')).toBe(2);
      expect(value('foyer_http_requests_total{method="POST",route="/v1.0/users",status="201"}')).toBe(1);
      expect(
        value('foyer_http_requests_total{method="GET",route="/v1.0/users",status="200"}'),
      ).toBeGreaterThanOrEqual(1);
      expect(value('foyer_http_requests_total{method="GET",route="/v1.0/users",status="401"}')).toBe(1);
      expect(
        value('foyer_http_requests_total{method="GET",route="unmatched",status="404"}'),
      ).toBeGreaterThanOrEqual(1);
      expect(
        value('foyer_http_requests_total{method="POST",route="/:tenant/oauth2/v2.0/token",status="200"}'),
      ).toBeGreaterThanOrEqual(2);
      expect(
        value('foyer_tokens_issued_total{grant="client_credentials",kind="access_token"}'),
      ).toBeGreaterThanOrEqual(2);
      expect(response.body).toContain('foyer_http_request_duration_seconds_bucket{');
      expect(response.body).toContain('foyer_process_cpu_user_seconds_total');
      expect(response.body).not.toContain(user.id);
      expect(response.body).not.toContain('definitely/not');
    });
  });

  describe('/openapi.json', () => {
    it('is OpenAPI 3.1, generated from the request schemas, listing the directory API', async () => {
      const response = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      const document = response.json() as {
        openapi: string;
        servers: Array<{ url: string }>;
        components: { securitySchemes: Record<string, unknown> };
        paths: Record<
          string,
          Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>
        >;
      };
      expect(document.openapi).toBe('3.1.0');
      expect(document.servers).toEqual([{ url: TEST_BASE_URL }]);
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const paths = Object.keys(document.paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/v1.0/users',
          '/v1.0/users/{id}',
          '/v1.0/users/{id}/memberOf',
          '/v1.0/groups',
          '/v1.0/groups/{id}',
          '/v1.0/groups/{id}/members',
          '/v1.0/groups/{id}/members/$ref',
          '/v1.0/groups/{id}/members/{memberId}/$ref',
          '/v1.0/applications',
          '/v1.0/applications/{id}',
          '/v1.0/applications/{id}/addPassword',
          '/v1.0/applications/{id}/grantedPermissions',
          '/v1.0/organization',
          '/v1.0/policies/authorizationPolicy',
          '/v1.0/auditLogs/directoryAudits',
          '/instance/v1/tenants',
        ]),
      );
      // Operational and protocol endpoints are not part of the directory API document.
      for (const hidden of ['/healthz', '/metrics', '/openapi.json', '/{tenant}/oauth2/v2.0/token']) {
        expect(paths).not.toContain(hidden);
      }
      expect(Object.keys(document.paths['/v1.0/users']!).sort()).toEqual(['get', 'post']);
      expect(Object.keys(document.paths['/v1.0/users/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
      const createUserSchema = document.paths['/v1.0/users']!.post!.requestBody!.content['application/json']!
        .schema as {
        properties: Record<string, unknown>;
        required: string[];
        additionalProperties: boolean;
      };
      expect(Object.keys(createUserSchema.properties)).toEqual(
        expect.arrayContaining([
          'accountEnabled',
          'displayName',
          'mailNickname',
          'userPrincipalName',
          'passwordProfile',
        ]),
      );
      expect(createUserSchema.required.sort()).toEqual([
        'accountEnabled',
        'displayName',
        'mailNickname',
        'userPrincipalName',
      ]);
      expect(createUserSchema.additionalProperties).toBe(false);
      const refSchema = document.paths['/v1.0/groups/{id}/members/$ref']!.post!.requestBody!.content[
        'application/json'
      ]!.schema as { required: string[] };
      expect(refSchema.required).toEqual(['@odata.id']);
    });
  });

  describe('behind a reverse proxy: FOYER_BASE_URL and FOYER_TRUST_PROXY', () => {
    let direct: ProxyApp;
    let proxied: ProxyApp;
    beforeAll(async () => {
      [direct, proxied] = await Promise.all([proxyApp(dialect, false), proxyApp(dialect, true)]);
    });
    afterAll(async () => {
      await Promise.all([direct?.close(), proxied?.close()]);
    });

    it('without FOYER_TRUST_PROXY, X-Forwarded-* headers are ignored (client IP, scheme, host)', async () => {
      const response = await direct.app.inject({ method: 'GET', url: '/__probe', headers: spoofing });
      expect(response.json()).toEqual({ ip: '127.0.0.1', protocol: 'http', host: 'evil.example' });
    });

    it('with FOYER_TRUST_PROXY=true, the client IP and scheme come from X-Forwarded-For / -Proto', async () => {
      const response = await proxied.app.inject({
        method: 'GET',
        url: '/__probe',
        headers: { ...spoofing, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.com' },
      });
      expect(response.json()).toEqual({ ip: '203.0.113.7', protocol: 'https', host: 'id.example.com' });
    });

    it('FOYER_TRUST_PROXY=true trusts one hop: a client cannot prepend addresses to X-Forwarded-For', async () => {
      // The proxy appends the address it saw; whatever the client wrote before it is not believed.
      const response = await proxied.app.inject({
        method: 'GET',
        url: '/__probe',
        remoteAddress: '10.0.0.2',
        headers: { 'x-forwarded-for': '127.0.0.1, 198.51.100.4' },
      });
      expect(response.json()).toMatchObject({ ip: '198.51.100.4' });
    });

    it('FOYER_TRUST_PROXY as a list of proxies: only they may forward; anyone else is taken at its socket', async () => {
      const listed = await proxyApp(dialect, '10.0.0.0/8');
      try {
        const probe = (remoteAddress: string) =>
          listed.app.inject({
            method: 'GET',
            url: '/__probe',
            remoteAddress,
            headers: { 'x-forwarded-for': '127.0.0.1, 198.51.100.4' },
          });
        expect((await probe('10.1.2.3')).json()).toMatchObject({ ip: '198.51.100.4' });
        expect((await probe('203.0.113.9')).json()).toMatchObject({ ip: '203.0.113.9' });
      } finally {
        await listed.close();
      }
    });

    for (const trusted of [false, true]) {
      const label = trusted ? 'with' : 'without';
      it(`${label} trust proxy, links, @odata.context and Location use FOYER_BASE_URL, never the Host header`, async () => {
        const { api, domain } = trusted ? proxied : direct;
        for (let i = 0; i < 2; i++) await createUser(api, domain);
        const list = await api.get('/users?$top=1', spoofing);
        expect(list.statusCode, list.body).toBe(200);
        const body = list.json() as { '@odata.context': string; '@odata.nextLink': string };
        expect(body['@odata.context']).toBe(`${PUBLIC_BASE}/v1.0/$metadata#users`);
        expect(body['@odata.nextLink']).toMatch(
          new RegExp(`^${PUBLIC_BASE.replaceAll('.', '\\.')}/v1\\.0/users\\?\\$top=1&\\$skiptoken=`),
        );
        const next = await api.get(body['@odata.nextLink'].slice(`${PUBLIC_BASE}/v1.0`.length), spoofing);
        expect(next.statusCode).toBe(200);
        const created = await api.request('POST', '/users', {
          body: newUser(domain),
          headers: spoofing,
        });
        expect(created.headers.location).toMatch(
          new RegExp(`^${PUBLIC_BASE.replaceAll('.', '\\.')}/v1\\.0/users/`),
        );
        expect(created.body).not.toContain('evil.example');
      });

      it(`${label} trust proxy, discovery and tokens use FOYER_BASE_URL as issuer and audience`, async () => {
        const { app, tenant, api } = trusted ? proxied : direct;
        const response = await app.inject({
          method: 'GET',
          url: `/${tenant.tenantSlug}/v2.0/.well-known/openid-configuration`,
          headers: spoofing,
        });
        expect(response.statusCode, response.body).toBe(200);
        const discovery = response.json() as Record<string, unknown>;
        const issuer = `${PUBLIC_BASE}/${tenant.tenantId}/v2.0`;
        expect(discovery.issuer).toBe(issuer);
        expect(discovery.token_endpoint).toBe(`${PUBLIC_BASE}/${tenant.tenantId}/oauth2/v2.0/token`);
        expect(discovery.jwks_uri).toBe(`${PUBLIC_BASE}/${tenant.tenantId}/discovery/v2.0/keys`);
        expect(response.body).not.toContain('evil.example');
        expect(response.body).not.toContain('http://');
        const claims = decodeJwt(api.token);
        expect(claims.iss).toBe(issuer);
        expect(claims.aud).toBe(PUBLIC_BASE);
      });
    }

    it('/readyz reports 503 when the database is unreachable, while /healthz stays up', async () => {
      await direct.closeDatabase();
      const ready = await direct.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'database unreachable' });
      expect((await direct.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });
});
