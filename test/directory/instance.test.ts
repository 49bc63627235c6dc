import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorToken } from '../../src/tenants/operator-tokens.js';
import { testDialects } from '../helpers/database.js';
import { graphClient, INSTANCE_API, V1 } from '../helpers/graph.js';
import { appToken } from '../helpers/tokens.js';
import {
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  newUser,
  TEST_BASE_URL,
  UUID_PATTERN,
} from './support.js';

interface Tenant {
  id: string;
  slug: string;
  displayName: string;
  defaultDomain: string;
  defaultLanguage: string;
  createdDateTime: string;
}

describe.each(testDialects())('instance operator API on %s', (dialect) => {
  let ctx: DirectoryContext;
  let operatorToken: string;
  beforeAll(async () => {
    ctx = await directoryContext(dialect);
    operatorToken = await createOperatorToken(ctx.app.services, 'tests');
  });
  afterAll(async () => ctx?.close());

  const operator = (method: 'GET' | 'POST', url: string, body?: unknown, token = operatorToken) =>
    graphClient(ctx.app, token, INSTANCE_API).request(method, url, body !== undefined ? { body } : {});
  const discovery = (tenant: string) =>
    ctx.app.inject({ method: 'GET', url: `/${tenant}/v2.0/.well-known/openid-configuration` });

  it('refuses requests without an operator token, or with a bad one, with 401', async () => {
    const routes: Array<['GET' | 'POST', string, unknown?]> = [
      ['GET', '/tenants'],
      ['POST', '/tenants', { displayName: 'Intruder' }],
      ['GET', `/tenants/${ctx.tenant.tenantSlug}/domains`],
      ['POST', `/tenants/${ctx.tenant.tenantSlug}/domains`, { domain: 'intruder.example' }],
      ['POST', `/tenants/${ctx.tenant.tenantSlug}/domains/intruder.example/verify`, { force: true }],
    ];
    for (const [method, url, body] of routes) {
      const anonymous = await ctx.app.inject({
        method,
        url: `/instance/v1${url}`,
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        }),
      });
      expectGraphError(anonymous, 401, 'InvalidAuthenticationToken');
      expectGraphError(
        await operator(method, url, body, 'not-a-real-token'),
        401,
        'InvalidAuthenticationToken',
      );
      // A directory API token of a tenant (even one with every permission) is not an operator token.
      expectGraphError(await operator(method, url, body, ctx.api.token), 401, 'InvalidAuthenticationToken');
    }
    const basic = await ctx.app.inject({
      method: 'GET',
      url: '/instance/v1/tenants',
      headers: { authorization: `Basic ${Buffer.from(`operator:${operatorToken}`).toString('base64')}` },
    });
    expectGraphError(basic, 401, 'InvalidAuthenticationToken');
    // Nothing was created by the refused calls.
    const tenants = (await operator('GET', '/tenants')).json() as { value: Tenant[] };
    expect(tenants.value.map((t) => t.displayName)).not.toContain('Intruder');
  });

  it('lists tenants', async () => {
    const response = await operator('GET', '/tenants');
    expect(response.statusCode, response.body).toBe(200);
    const { value } = response.json() as { value: Tenant[] };
    expect(value).toContainEqual({
      id: ctx.tenant.tenantId,
      slug: ctx.tenant.tenantSlug,
      displayName: 'Contoso',
      defaultDomain: ctx.domain,
      defaultLanguage: 'en-US',
      createdDateTime: expect.any(String),
    });
  });

  it('creates a tenant with its admin and automation app; the app’s secret works; the slug is unique', async () => {
    const response = await operator('POST', '/tenants', {
      displayName: 'Northwind Traders',
      slug: 'northwind',
      defaultLanguage: 'fr-FR',
      adminEmail: 'boss@northwind.example',
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json() as Tenant & {
      adminUserPrincipalName: string;
      adminPassword: string;
      clientId: string;
      clientSecret: string;
      tokenEndpoint: string;
    };
    expect(created).toMatchObject({
      slug: 'northwind',
      displayName: 'Northwind Traders',
      defaultDomain: 'northwind.foyer.localhost',
      defaultLanguage: 'fr-FR',
      adminUserPrincipalName: 'boss@northwind.foyer.localhost',
      tokenEndpoint: `${TEST_BASE_URL}/northwind/oauth2/v2.0/token`,
    });
    expect(created.id).toMatch(UUID_PATTERN);
    expect(created.clientId).toMatch(UUID_PATTERN);
    expect(created.clientSecret.length).toBeGreaterThanOrEqual(32);

    const token = await appToken(ctx.app, {
      tenant: 'northwind',
      clientId: created.clientId,
      clientSecret: created.clientSecret,
    });
    const organization = await graphClient(ctx.app, token, V1).get('/organization');
    expect(organization.json()).toMatchObject({
      value: [{ id: created.id, displayName: 'Northwind Traders' }],
    });

    const listed = (await operator('GET', '/tenants')).json() as { value: Tenant[] };
    expect(listed.value.map((t) => t.slug)).toEqual(
      expect.arrayContaining([ctx.tenant.tenantSlug, 'northwind']),
    );

    expectGraphError(
      await operator('POST', '/tenants', { displayName: 'Another Northwind', slug: 'northwind' }),
      400,
      'Request_MultipleObjectsWithSameKeyValue',
    );
  });

  it('bad tenant bodies are 400 and create nothing', async () => {
    for (const body of [
      {},
      { displayName: '' },
      { displayName: 'Bad Slug', slug: 'Not A Slug!' },
      { displayName: 'Bad', slug: '-leading' },
      { displayName: 'Bad', adminEmail: 'not-an-email' },
      { displayName: 'Bad', isolation: 'none' },
    ]) {
      const response = await operator('POST', '/tenants', body);
      expect(response.statusCode, response.body).toBe(400);
      expect((response.json() as { error: { code: string } }).error.code).toMatch(
        /^Request_(BadRequest|InvalidValue)$/,
      );
    }
    const listed = (await operator('GET', '/tenants')).json() as { value: Tenant[] };
    expect(listed.value.map((t) => t.displayName)).not.toContain('Bad');
    expect(listed.value.map((t) => t.displayName)).not.toContain('Bad Slug');
  });

  it('adds a custom domain, force-verifies it, and the tenant is then addressable by that domain', async () => {
    const created = (
      await operator('POST', '/tenants', { displayName: 'Tailspin', slug: 'tailspin' })
    ).json() as Tenant & {
      clientId: string;
      clientSecret: string;
    };
    const added = await operator('POST', '/tenants/tailspin/domains', { domain: 'Tailspin.Example' });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toEqual({
      domain: 'tailspin.example',
      verified: false,
      txtRecord: expect.stringMatching(/^foyer-verification=[A-Za-z0-9_-]+$/),
    });

    // Unverified: not an address of the tenant yet, and not usable for users.
    expectGraphError(await discovery('tailspin.example'), 404, 'Request_ResourceNotFound');
    const token = await appToken(ctx.app, {
      tenant: created.id,
      clientId: created.clientId,
      clientSecret: created.clientSecret,
    });
    const api = graphClient(ctx.app, token, V1);
    const early = newUser('tailspin.example');
    expectGraphError(await api.post('/users', early), 400, 'Request_InvalidValue');

    const verified = await operator('POST', `/tenants/${created.id}/domains/tailspin.example/verify`, {
      force: true,
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toEqual({ domain: 'tailspin.example', verified: true });

    const domains = await operator('GET', '/tenants/tailspin/domains');
    expect((domains.json() as { value: Array<{ domain: string; verified: boolean }> }).value).toEqual([
      expect.objectContaining({ domain: 'tailspin.foyer.localhost', verified: true }),
      expect.objectContaining({ domain: 'tailspin.example', verified: true }),
    ]);

    for (const ref of ['tailspin.example', 'TAILSPIN.EXAMPLE', 'tailspin', created.id]) {
      const response = await discovery(ref);
      expect(response.statusCode, `${ref}: ${response.body}`).toBe(200);
      expect((response.json() as { issuer: string }).issuer).toBe(`${TEST_BASE_URL}/${created.id}/v2.0`);
    }
    // The token endpoint answers at the domain too, and users may now be created on it.
    const byDomain = await appToken(ctx.app, {
      tenant: 'tailspin.example',
      clientId: created.clientId,
      clientSecret: created.clientSecret,
    });
    expect(
      (await graphClient(ctx.app, byDomain, V1).post('/users', newUser('tailspin.example'))).statusCode,
    ).toBe(201);
    const organization = (await api.get('/organization')).json() as {
      value: Array<{ verifiedDomains: Array<{ name: string; isDefault: boolean }> }>;
    };
    expect(organization.value[0]!.verifiedDomains.map((d) => [d.name, d.isDefault])).toEqual([
      ['tailspin.foyer.localhost', true],
      ['tailspin.example', false],
    ]);
  });

  it('refuses invalid, reserved or taken domains, and unknown tenants or domains', async () => {
    for (const domain of ['not a domain', 'localhost', 'x.foyer.localhost', '-bad.example']) {
      const response = await operator('POST', `/tenants/${ctx.tenant.tenantSlug}/domains`, { domain });
      expect(response.statusCode, `${domain}: ${response.body}`).toBe(400);
    }
    expect(
      (await operator('POST', `/tenants/${ctx.tenant.tenantSlug}/domains`, { domain: 'contoso.example' }))
        .statusCode,
    ).toBe(201);
    // Another tenant cannot claim it, verified or not.
    expectGraphError(
      await operator('POST', '/tenants/northwind/domains', { domain: 'CONTOSO.example' }),
      400,
      'Request_MultipleObjectsWithSameKeyValue',
    );
    expectGraphError(
      await operator('POST', '/tenants/northwind/domains/contoso.example/verify', { force: true }),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(await operator('GET', '/tenants/nobody/domains'), 404, 'Request_ResourceNotFound');
    expectGraphError(
      await operator('POST', '/tenants/nobody/domains', { domain: 'nobody.example' }),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(
      await operator('POST', `/tenants/${ctx.tenant.tenantSlug}/domains/unknown.example/verify`, {
        force: true,
      }),
      404,
      'Request_ResourceNotFound',
    );
    // The refused verify left contoso.example unverified: not an address of either tenant.
    expectGraphError(await discovery('contoso.example'), 404, 'Request_ResourceNotFound');
  });
});
