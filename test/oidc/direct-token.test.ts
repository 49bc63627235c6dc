import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rotateSigningKeys } from '../../src/oidc/index.js';
import { type StandingClock, standingClock } from '../helpers/clock.js';
import { BASE_URL, createOidcTestContext, type OidcTestContext, type SeededApplication } from './setup.js';

/**
 * The token endpoint over a real socket, where src/oidc/direct.ts serves it before Fastify once the tenant and
 * its provider are at hand (app.inject() always takes the Fastify path, which the other files cover). Each
 * test counts the token requests Fastify's own onRequest hooks saw, so it knows which path answered, and checks
 * that the caller cannot tell: same token, headers, limits, errors, logs and metrics.
 */

const DEFAULT_SCOPE = `${BASE_URL}/.default`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Served {
  ctx: OidcTestContext;
  url: string;
  /** Token requests that went through Fastify's routing and hooks. */
  throughFastify: () => number;
  logs: Record<string, unknown>[];
  clock: StandingClock;
}

async function serve(env: Record<string, string> = {}): Promise<Served> {
  let count = 0;
  const logs: Record<string, unknown>[] = [];
  const clock = standingClock();
  const ctx = await createOidcTestContext({
    clock,
    env: { FOYER_LOG_LEVEL: 'info', ...env },
    logStream: { write: (line: string) => void logs.push(JSON.parse(line)) },
    setUp: (app) =>
      app.addHook('onRequest', (request, _reply, done) => {
        if (request.url.includes('/oauth2/v2.0/token')) count++;
        done();
      }),
  });
  const url = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  return { ctx, url, throughFastify: () => count, logs, clock };
}

function tokenRequest(
  served: Served,
  tenant: string,
  app: SeededApplication,
  options: { secret?: string; headers?: Record<string, string>; path?: string } = {},
) {
  return fetch(`${served.url}/${tenant}${options.path ?? '/oauth2/v2.0/token'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: options.secret ?? app.clientSecret,
      scope: DEFAULT_SCOPE,
    }),
  });
}

describe('the token endpoint served before Fastify', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve();
  });
  afterAll(async () => served?.ctx.close());

  test('the first request builds the tenant provider through Fastify; the next ones get the same answer directly', async () => {
    const { contoso } = served.ctx;
    const first = await tokenRequest(served, contoso.slug, contoso.app);
    expect(first.status).toBe(200);
    expect(served.throughFastify()).toBe(1);

    const second = await tokenRequest(served, contoso.slug, contoso.app, {
      headers: { 'client-request-id': 'caller-chosen-id' },
    });
    expect(served.throughFastify()).toBe(1);
    expect(second.status).toBe(200);
    expect(second.headers.get('request-id')).toMatch(UUID);
    expect(second.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
    expect(second.headers.get('client-request-id')).toBe('caller-chosen-id');
    expect(second.headers.get('cache-control')).toBe('no-store');

    const a = (await first.json()) as { access_token: string };
    const b = (await second.json()) as { access_token: string; token_type: string; scope: string };
    expect(b).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: DEFAULT_SCOPE });
    // Same claims on both paths (the issuer names the tenant by id whatever the URL used), and valid.
    const claims = decodeJwt(b.access_token);
    const { iat: _i, exp: _e, jti: _j, ...stable } = claims;
    const { iat: _i2, exp: _e2, jti: _j2, ...stableFirst } = decodeJwt(a.access_token);
    expect(stable).toEqual(stableFirst);
    expect(claims).toMatchObject({
      iss: `${BASE_URL}/${contoso.id}/v2.0`,
      aud: BASE_URL,
      tid: contoso.id,
      sub: contoso.app.objectId,
      roles: [...contoso.app.permissions].sort(),
    });
    const jwks = (await (await fetch(`${served.url}/${contoso.id}/discovery/v2.0/keys`)).json()) as never;
    await jwtVerify(b.access_token, createLocalJWKSet(jwks), { issuer: `${BASE_URL}/${contoso.id}/v2.0` });
  });

  test("a tenant's id, slug and verified domain, with or without a trailing slash, are all served directly", async () => {
    const { contoso } = served.ctx;
    // Warm each reference once (the first use of a reference resolves it through Fastify).
    for (const ref of [contoso.id, contoso.domain.toUpperCase()])
      expect((await tokenRequest(served, ref, contoso.app)).status).toBe(200);
    const before = served.throughFastify();
    for (const ref of [contoso.id, contoso.slug, contoso.domain, contoso.domain.toUpperCase()]) {
      const response = await tokenRequest(served, ref, contoso.app);
      expect(response.status).toBe(200);
      expect(decodeJwt(((await response.json()) as { access_token: string }).access_token).iss).toBe(
        `${BASE_URL}/${contoso.id}/v2.0`,
      );
    }
    expect(
      (await tokenRequest(served, contoso.slug, contoso.app, { path: '/oauth2/v2.0/token/' })).status,
    ).toBe(200);
    expect(served.throughFastify()).toBe(before);
  });

  test("the provider's own errors come back unchanged: a wrong secret is invalid_client, another tenant's client unknown", async () => {
    const { contoso, fabrikam } = served.ctx;
    await tokenRequest(served, fabrikam.slug, fabrikam.app);
    const before = served.throughFastify();
    const wrong = await tokenRequest(served, contoso.slug, contoso.app, { secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers.get('request-id')).toMatch(UUID);
    const crossTenant = await tokenRequest(served, fabrikam.slug, contoso.app);
    expect(crossTenant.status).toBe(401);
    expect(await crossTenant.json()).toMatchObject({ error: 'invalid_client' });
    expect(served.throughFastify()).toBe(before);
  });

  test('what it does not serve, Fastify does: an unknown tenant (Graph 404), an encoded reference, a query string', async () => {
    const { contoso } = served.ctx;
    const before = served.throughFastify();
    const unknown = await tokenRequest(served, 'nobody.example', contoso.app);
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as { error: { code: string; innerError: { 'request-id': string } } };
    expect(body.error.code).toBe('Request_ResourceNotFound');
    expect(body.error.innerError['request-id']).toBe(unknown.headers.get('request-id'));
    expect((await tokenRequest(served, 'con%74oso', contoso.app)).status).toBe(200);
    expect(
      (await tokenRequest(served, contoso.slug, contoso.app, { path: '/oauth2/v2.0/token?x=1' })).status,
    ).toBe(200);
    expect(served.throughFastify()).toBe(before + 3);
  });

  test('a rotation made here is honoured: the old key signs through the grace period, then the new one', async () => {
    const { contoso } = served.ctx;
    const kidOf = async (response: Response) =>
      decodeProtectedHeader(((await response.json()) as { access_token: string }).access_token).kid;
    const rotation = await rotateSigningKeys(served.ctx.app.services, contoso.id);
    // The rotation drops the built provider: the next request rebuilds it through Fastify.
    const before = served.throughFastify();
    expect(await kidOf(await tokenRequest(served, contoso.slug, contoso.app))).not.toBe(rotation.kid);
    expect(served.throughFastify()).toBe(before + 1);
    expect(await kidOf(await tokenRequest(served, contoso.slug, contoso.app))).not.toBe(rotation.kid);
    expect(served.throughFastify()).toBe(before + 1);

    served.clock.advance(Date.parse(rotation.signsFrom) - served.clock.now().getTime() + 1_000);
    // Past the key-check interval (and the tenant reference's bound), the direct path steps aside once.
    expect(await kidOf(await tokenRequest(served, contoso.slug, contoso.app))).toBe(rotation.kid);
    expect(await kidOf(await tokenRequest(served, contoso.slug, contoso.app))).toBe(rotation.kid);
    expect(served.throughFastify()).toBe(before + 2);
  });

  test('requests are logged and counted as Fastify logs and counts them, without the secret', async () => {
    const { contoso } = served.ctx;
    await tokenRequest(served, contoso.slug, contoso.app);
    const metricsBefore = await tokenCount(served);
    const before = served.throughFastify();
    served.logs.length = 0;
    const response = await tokenRequest(served, contoso.slug, contoso.app, {
      headers: { 'client-request-id': 'logged-id' },
    });
    expect(served.throughFastify()).toBe(before);
    const requestId = response.headers.get('request-id');
    const lines = served.logs.filter((line) => line.reqId === requestId);
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines[0]).toMatchObject({
      req: { method: 'POST', url: `/${contoso.slug}/oauth2/v2.0/token`, clientRequestId: 'logged-id' },
    });
    expect(lines[1]).toMatchObject({ res: { statusCode: 200 } });
    expect(JSON.stringify(served.logs)).not.toContain(contoso.app.clientSecret);
    expect(await tokenCount(served)).toBe(metricsBefore + 1);
  });
});

/** foyer_http_requests_total for successful token requests, as /metrics shows it. */
async function tokenCount(served: Served): Promise<number> {
  const text = await (await fetch(`${served.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (row) =>
        row.startsWith('foyer_http_requests_total{') &&
        row.includes('route="/:tenant/oauth2/v2.0/token"') &&
        row.includes('status="200"') &&
        row.includes('method="POST"'),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('throttling on the direct path', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ FOYER_TOKEN_RATE_LIMIT: '3' });
  });
  afterAll(async () => served?.ctx.close());

  test('past the limit the answer is 429 with Retry-After and the Graph envelope, as through Fastify', async () => {
    const { contoso } = served.ctx;
    // One counting window (5 s on the service clock, which stands still here): the first request goes through
    // Fastify and counts like the others.
    for (let i = 0; i < 3; i++)
      expect((await tokenRequest(served, contoso.slug, contoso.app)).status).toBe(200);
    expect(served.throughFastify()).toBe(1);
    const refused = await tokenRequest(served, contoso.slug, contoso.app, {
      headers: { 'client-request-id': 'throttled-caller' },
    });
    expect(served.throughFastify()).toBe(1);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await refused.json()) as {
      error: { code: string; innerError: Record<string, string> };
    };
    expect(body.error.code).toBe('TooManyRequests');
    expect(body.error.innerError['request-id']).toBe(refused.headers.get('request-id'));
    expect(body.error.innerError['client-request-id']).toBe('throttled-caller');
    expect(refused.headers.get('client-request-id')).toBe('throttled-caller');
  });
});

describe('behind a trusted proxy', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ FOYER_TRUST_PROXY: '1' });
  });
  afterAll(async () => served?.ctx.close());

  test("every token request goes through Fastify, which applies proxy-addr's rules to the client address", async () => {
    const { contoso } = served.ctx;
    for (let i = 0; i < 3; i++) {
      const response = await tokenRequest(served, contoso.slug, contoso.app, {
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });
      expect(response.status).toBe(200);
    }
    expect(served.throughFastify()).toBe(3);
  });
});
