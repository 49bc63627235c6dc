import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGraphError } from '../directory/support.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, callerWithPermissions, type GraphClient } from '../helpers/graph.js';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.js';
import { inviteFederatedGuest } from './support.js';

const PROVIDERS = '/v1.0/identity/identityProviders';
const CALLBACK = 'https://foyer.test/federation/callback';

describe.each(testDialects())('identity providers API on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let idp: TestIdp;
  let google: TestIdp;

  beforeAll(async () => {
    idp = await startTestIdp({ redirectUri: CALLBACK });
    google = await startTestIdp({ redirectUri: CALLBACK });
    t = await buildTestApp(dialect, { env: { FOYER_GOOGLE_ISSUER: google.issuer } });
    admin = await adminCaller(t);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await google?.stop();
  });

  const oidcBody = (extra: Record<string, unknown> = {}) => ({
    '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
    displayName: 'Partner IdP',
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    metadataUrl: idp.metadataUrl,
    domains: ['Partner.example'],
    ...extra,
  });

  it('creates, lists, reads, patches and deletes a generic OIDC provider in Graph shapes, never returning the secret', async () => {
    const created = await admin.post(PROVIDERS, oidcBody());
    expect(created.statusCode, created.body).toBe(201);
    const resource = created.json();
    expect(resource).toMatchObject({
      '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
      displayName: 'Partner IdP',
      clientId: idp.clientId,
      clientSecret: '******',
      metadataUrl: idp.metadataUrl,
      scope: 'openid profile email',
      responseType: 'code',
      claimsMapping: { userId: 'sub', email: 'email', displayName: 'name' },
      domains: ['partner.example'],
      callbackUrl: CALLBACK,
    });
    expect(created.headers.location).toBe(`https://foyer.test${PROVIDERS}/${resource.id}`);
    expect(created.body).not.toContain(idp.clientSecret);

    const list = await admin.get(PROVIDERS);
    expect(list.statusCode).toBe(200);
    expect(list.json().value.map((p: { id: string }) => p.id)).toContain(resource.id);
    expect(list.body).not.toContain(idp.clientSecret);

    const patched = await admin.patch(`${PROVIDERS}/${resource.id}`, {
      displayName: 'Partner',
      clientSecret: 'a-new-secret',
      domains: ['partner.example', 'partner2.example'],
    });
    expect(patched.statusCode, patched.body).toBe(204);
    const read = await admin.get(`${PROVIDERS}/${resource.id}`);
    expect(read.json()).toMatchObject({ displayName: 'Partner', clientSecret: '******' });
    expect(read.json().domains).toEqual(['partner.example', 'partner2.example']);

    // The secret is stored encrypted: not even the database holds it in clear.
    const row = await t.app.services.db
      .selectFrom('identity_providers')
      .selectAll()
      .where('id', '=', resource.id)
      .executeTakeFirstOrThrow();
    expect(row.client_secret_encrypted).not.toContain('a-new-secret');

    const audits = await admin.get('/v1.0/auditLogs/directoryAudits');
    const names = audits.json().value.map((a: { activityDisplayName: string }) => a.activityDisplayName);
    expect(names).toEqual(expect.arrayContaining(['Add identity provider', 'Update identity provider']));
    expect(audits.body).not.toContain('a-new-secret');

    expect((await admin.delete(`${PROVIDERS}/${resource.id}`)).statusCode).toBe(204);
    expectGraphError(await admin.get(`${PROVIDERS}/${resource.id}`), 404, 'Request_ResourceNotFound');
    const after = await admin.get('/v1.0/auditLogs/directoryAudits');
    expect(after.body).toContain('Delete identity provider');
  });

  it('creates the Google preset against FOYER_GOOGLE_ISSUER, one per tenant', async () => {
    const body = {
      '@odata.type': '#microsoft.graph.socialIdentityProvider',
      identityProviderType: 'Google',
      displayName: 'Google',
      clientId: google.clientId,
      clientSecret: google.clientSecret,
    };
    const created = await admin.post(PROVIDERS, body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      '@odata.type': '#microsoft.graph.socialIdentityProvider',
      identityProviderType: 'Google',
      clientSecret: '******',
      callbackUrl: CALLBACK,
    });
    expect(created.json()).not.toHaveProperty('metadataUrl');
    expectGraphError(await admin.post(PROVIDERS, body), 400, 'Request_MultipleObjectsWithSameKeyValue');
    expect((await admin.delete(`${PROVIDERS}/${created.json().id}`)).statusCode).toBe(204);
  });

  it('refuses bad input and metadata that cannot be used, with a clear 400', async () => {
    expectGraphError(
      await admin.post(PROVIDERS, oidcBody({ metadataUrl: 'not a url' })),
      400,
      'Request_BadRequest',
    );
    expectGraphError(await admin.post(PROVIDERS, oidcBody({ scope: 'profile' })), 400, 'Request_BadRequest');
    expectGraphError(
      await admin.post(PROVIDERS, oidcBody({ domains: ['not a domain'] })),
      400,
      'Request_BadRequest',
    );
    const { clientSecret: _omitted, ...noSecret } = oidcBody();
    expectGraphError(await admin.post(PROVIDERS, noSecret), 400, 'Request_BadRequest');

    // Nothing listens there: discovery fails.
    const down = await admin.post(
      PROVIDERS,
      oidcBody({ metadataUrl: 'http://127.0.0.1:9/.well-known/openid-configuration' }),
    );
    expect(expectGraphError(down, 400, 'Request_IdentityProviderMetadataInvalid').message).toContain(
      'could not be read',
    );
    // The metadata names another issuer than the URL it is published under.
    const lying = await admin.post(
      PROVIDERS,
      oidcBody({ metadataUrl: `${idp.issuer}/elsewhere/.well-known/openid-configuration` }),
    );
    expectGraphError(lying, 400, 'Request_IdentityProviderMetadataInvalid');
  });

  it('keeps a domain to one provider per tenant', async () => {
    const first = await admin.post(PROVIDERS, oidcBody({ domains: ['dup.example'] }));
    expect(first.statusCode).toBe(201);
    const other = await startTestIdp({ redirectUri: CALLBACK });
    try {
      const second = await admin.post(
        PROVIDERS,
        oidcBody({ metadataUrl: other.metadataUrl, domains: ['dup.example'] }),
      );
      expectGraphError(second, 400, 'Request_MultipleObjectsWithSameKeyValue');
    } finally {
      await other.stop();
      await admin.delete(`${PROVIDERS}/${first.json().id}`);
    }
  });

  it('refuses deletion while guests are bound to the provider', async () => {
    const created = (await admin.post(PROVIDERS, oidcBody({ domains: ['bound.example'] }))).json();
    const bound = await inviteFederatedGuest(t, admin, 'someone@bound.example', idp.issuer, 'someone');
    const refused = await admin.delete(`${PROVIDERS}/${created.id}`);
    expect(expectGraphError(refused, 409, 'Request_IdentityProviderInUse').message).toContain('Reset');
    expect((await admin.get(`${PROVIDERS}/${created.id}`)).statusCode).toBe(200);
    await bound.unbind();
    expect((await admin.delete(`${PROVIDERS}/${created.id}`)).statusCode).toBe(204);
  });

  it('needs IdentityProvider permissions, and keeps each tenant to its own providers', async () => {
    const created = (await admin.post(PROVIDERS, oidcBody({ domains: ['iso.example'] }))).json();
    const reader = await callerWithPermissions(t, admin, ['IdentityProvider.Read.All']);
    expect((await reader.get(PROVIDERS)).statusCode).toBe(200);
    expectGraphError(await reader.post(PROVIDERS, oidcBody()), 403, 'Authorization_RequestDenied');
    expectGraphError(await reader.delete(`${PROVIDERS}/${created.id}`), 403, 'Authorization_RequestDenied');
    const nobody = await callerWithPermissions(t, admin, ['User.Read.All']);
    expectGraphError(await nobody.get(PROVIDERS), 403, 'Authorization_RequestDenied');

    const fabrikam = await callerFor(t, await provisionOtherTenant(t));
    expect((await fabrikam.get(PROVIDERS)).json().value).toEqual([]);
    expectGraphError(await fabrikam.get(`${PROVIDERS}/${created.id}`), 404, 'Request_ResourceNotFound');
    expectGraphError(await fabrikam.delete(`${PROVIDERS}/${created.id}`), 404, 'Request_ResourceNotFound');
    // The same domain may be federated by another tenant: domains are unique per tenant only.
    expect((await fabrikam.post(PROVIDERS, oidcBody({ domains: ['iso.example'] }))).statusCode).toBe(201);
  });

  it('a callback without its pending request is a clear page, never a sign-in', async () => {
    const noCookie = await t.app.inject({ url: '/federation/callback?state=abc&code=xyz' });
    expect(noCookie.statusCode).toBe(400);
    expect(noCookie.headers['content-type']).toMatch(/^text\/html/);
    expect(noCookie.body).toContain('expired or was already used');
    const unknown = await t.app.inject({
      url: '/federation/callback?state=abc&code=xyz',
      cookies: { foyer_federation: 'abc' },
      headers: { 'accept-language': 'fr-FR' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('a expiré ou a déjà été utilisée');
  });

  it('is in openapi.json', async () => {
    const spec = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1.0/identity/identityProviders', '/v1.0/identity/identityProviders/{id}']),
    );
  });
});

describe('identity providers in production', () => {
  let t: TestApp;
  let admin: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', {
      env: {
        FOYER_ENV: 'production',
        FOYER_SECRET: 'production-secret-that-is-long-enough-0123456789',
        FOYER_SMTP_URL: 'smtp://127.0.0.1:2525',
      },
    });
    admin = await adminCaller(t);
  });
  afterAll(async () => t?.close());

  it.each([
    'http://partner.example/.well-known/openid-configuration',
    'https://127.0.0.1/.well-known/openid-configuration',
    'https://localhost/.well-known/openid-configuration',
    'https://10.1.2.3/.well-known/openid-configuration',
    'https://192.168.0.10/.well-known/openid-configuration',
    'https://[::1]/.well-known/openid-configuration',
    'https://169.254.169.254/.well-known/openid-configuration',
  ])('refuses a metadataUrl toward an internal address or without https: %s', async (metadataUrl) => {
    const response = await admin.post(PROVIDERS, {
      '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
      displayName: 'Internal',
      clientId: 'x',
      clientSecret: 'y',
      metadataUrl,
    });
    const error = expectGraphError(response, 400, 'Request_IdentityProviderMetadataInvalid');
    expect(error.message).toMatch(/https|private or loopback/i);
  });
});
