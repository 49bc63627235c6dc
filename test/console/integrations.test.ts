import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { startWebhookWorker } from '../../src/webhooks/worker.js';
import { inviteFederatedGuest } from '../federation/support.js';
import {
  buildTestApp,
  provisionOtherTenant,
  silentMailLogger,
  type TestApp,
} from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, type GraphClient } from '../helpers/graph.js';
import { formsOf, type PageClient } from '../helpers/page-client.js';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.js';
import { consoleAs, memberWithRole, PASSWORD, signInFrom } from './support.js';

const SECRET = 'client-secret-typed-once-0123456789';

/** The console's identity providers and webhooks pages over HTTP: what they show, who may open them, isolation. */
describe.each(testDialects())('console identity providers and webhooks (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let browser: PageClient;
  let base: string;
  let idp: TestIdp;
  let google: TestIdp;
  let fabrikam: ProvisionedTenant;

  beforeAll(async () => {
    idp = await startTestIdp({ redirectUri: 'https://foyer.test/federation/callback' });
    google = await startTestIdp({ redirectUri: 'https://foyer.test/federation/callback' });
    t = await buildTestApp(dialect, {
      env: { FOYER_GOOGLE_ISSUER: google.issuer, FOYER_INVITE_RATE_LIMIT: '0' },
    });
    admin = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
    base = `/${t.tenant.tenantId}/admin`;
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await google?.stop();
  });

  const oidcFields = (extra: Record<string, string> = {}) => ({
    kind: 'oidc',
    displayName: 'Partner IdP',
    clientId: idp.clientId,
    clientSecret: SECRET,
    metadataUrl: idp.metadataUrl,
    scope: 'openid profile email',
    claimUserId: 'sub',
    claimEmail: 'email',
    claimDisplayName: 'name',
    domains: 'partner.example\nsub.partner.example',
    ...extra,
  });

  it('adds an OIDC and a Google provider with every field, shows the callback URL, never the secret', async () => {
    const list = await browser.get(`${base}/identity-providers`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('>Identity providers</a>');
    expect(list.body).toContain('<code class="callback">https://foyer.test/federation/callback</code>');

    const french = await browser.get(`${base}/identity-providers`, { 'accept-language': 'fr-FR' });
    expect(french.body).toContain('<h1>Fournisseurs d&#39;identité</h1>');
    expect(french.body).toContain('URL de rappel à inscrire auprès du fournisseur');
    const frenchHooks = await browser.get(`${base}/webhooks`, { 'accept-language': 'fr-FR' });
    expect(frenchHooks.body).toContain('Inscrire un point de terminaison');

    const refused = await browser.submit(
      list,
      '/identity-providers',
      oidcFields({ metadataUrl: 'https://x.example/nope' }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('role="alert"');
    expect(refused.body).toContain('/.well-known/openid-configuration');
    expect(refused.body).toContain('value="Partner IdP"');
    expect(refused.body).not.toContain(SECRET);

    const added = await browser.submit(list, '/identity-providers', oidcFields());
    expect(added.statusCode, added.body).toBe(303);
    const page = await browser.get(String(added.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Partner IdP</h1>');
    expect(page.body).toContain('https://foyer.test/federation/callback');
    expect(page.body).toContain('sub.partner.example');
    expect(page.body).not.toContain(SECRET);
    const id = String(added.headers.location).split('/').pop()!;
    const api = (await admin.get(`/v1.0/identity/identityProviders/${id}`)).json();
    expect(api).toMatchObject({
      metadataUrl: idp.metadataUrl,
      domains: ['partner.example', 'sub.partner.example'],
    });

    const withGoogle = await browser.submit(list, '/identity-providers', {
      kind: 'google',
      displayName: 'Google',
      clientId: 'google-client',
      clientSecret: SECRET,
    });
    expect(withGoogle.statusCode, withGoogle.body).toBe(303);
    const after = await browser.get(`${base}/identity-providers`);
    expect(after.body).toContain('>Partner IdP</a>');
    expect(after.body).toMatch(/>Google<\/a><\/td>\s*<td>Google<\/td>/);
    expect(after.body).not.toContain(SECRET);
  });

  it('edits a provider (an empty secret keeps the old one) and a bound provider’s deletion is a clear 409 message', async () => {
    const [provider] = (await admin.get('/v1.0/identity/identityProviders'))
      .json()
      .value.filter((p: { displayName: string }) => p.displayName === 'Partner IdP');
    const page = await browser.get(`${base}/identity-providers/${provider.id}`);
    const saved = await browser.submit(page, `/identity-providers/${provider.id}`, {
      ...oidcFields({ displayName: 'Partner (renamed)', clientSecret: '' }),
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).toContain('Saved.');
    expect((await admin.get(`/v1.0/identity/identityProviders/${provider.id}`)).json().displayName).toBe(
      'Partner (renamed)',
    );

    const bound = await inviteFederatedGuest(t, admin, 'bound@partner.example', idp.issuer, 'bound');
    const unconfirmed = await browser.submit(page, `/identity-providers/${provider.id}/delete`);
    expect(unconfirmed.statusCode).toBe(400);
    const inUse = await browser.submit(page, `/identity-providers/${provider.id}/delete`, { confirm: 'on' });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.headers['content-type']).toContain('text/html');
    expect(inUse.body).toContain('role="alert"');
    expect(inUse.body).toContain('1 guest(s) sign in with this identity provider');
    await bound.unbind();
    const deleted = await browser.submit(page, `/identity-providers/${provider.id}/delete`, {
      confirm: 'on',
    });
    expect(deleted.statusCode).toBe(303);
    expect((await browser.get(String(deleted.headers.location))).body).toContain('was deleted');
    expect((await admin.get(`/v1.0/identity/identityProviders/${provider.id}`)).statusCode).toBe(404);
  });

  it('an add-provider form posted after the session expired comes back filled, except the secret (never stored)', async () => {
    const { browser: other, page } = await consoleAs(
      t,
      t.tenant.adminUserPrincipalName,
      t.tenant.adminPassword,
      '/admin/identity-providers',
    );
    await t.app.services.db.deleteFrom('portal_sessions').execute();
    const posted = await other.submit(
      page,
      '/identity-providers',
      oidcFields({ displayName: 'Typed before lunch' }),
    );
    expect(posted.statusCode).toBe(303);
    const stashed = await t.app.services.db.selectFrom('portal_form_stash').select('fields').execute();
    expect(JSON.stringify(stashed)).toContain('Typed before lunch');
    expect(JSON.stringify(stashed)).not.toContain(SECRET);
    const restored = await signInFrom(other, posted, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    expect(restored.statusCode).toBe(200);
    expect(restored.body).toContain('Your session had expired');
    expect(restored.body).toContain('value="Typed before lunch"');
    expect(restored.body).not.toContain(SECRET);
    // Every session ended above: the other tests go on with a fresh one.
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  });

  it('registers a webhook (secret shown once), edits it, shows its delivery log, deletes it', async () => {
    const list = await browser.get(`${base}/webhooks`);
    expect(list.statusCode).toBe(200);
    const noEvent = await browser.submit(list, '/webhooks', { url: 'https://hooks.example/foyer' });
    expect(noEvent.statusCode).toBe(400);
    expect(noEvent.body).toContain('at least one event');
    expect(noEvent.body).toContain('value="https://hooks.example/foyer"');
    const registered = await postWithEvents(list, ['invitation.created', 'guest.left']);
    expect(registered.statusCode, registered.body).toBe(201);
    const secret = /<p class="secret">(whsec_[\w-]+)<\/p>/.exec(registered.body)?.[1];
    expect(secret).toBeTruthy();
    expect(registered.headers['cache-control']).toBe('no-store');
    const id = /\/webhooks\/([0-9a-f-]{36})"/.exec(registered.body)![1]!;
    expect((await browser.get(`${base}/webhooks`)).body).not.toContain(secret);

    await admin.post('/v1.0/invitations', {
      invitedUserEmailAddress: 'hooked@partner.example',
      inviteRedirectUrl: 'https://example.com',
    });
    const endpoint = await browser.get(`${base}/webhooks/${id}`);
    expect(endpoint.body).not.toContain(secret);
    const eventId = (await admin.get(`/v1.0/webhooks/${id}/deliveries`)).json().value[0].eventId;
    for (const text of ['Delivery log', 'invitation.created', eventId, 'pending', 'Next retry'])
      expect(endpoint.body).toContain(text);

    const edited = await postForm(`${base}/webhooks/${id}`, {
      ...formOf(endpoint, `/webhooks/${id}`),
      url: 'https://hooks.example/v2',
      events: ['invitation.revoked'],
      description: 'CRM v2',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.body).toContain('Saved.');
    expect((await admin.get(`/v1.0/webhooks/${id}`)).json()).toMatchObject({
      url: 'https://hooks.example/v2',
      events: ['invitation.revoked'],
      description: 'CRM v2',
      enabled: false,
    });

    const unconfirmed = await browser.submit(endpoint, `/webhooks/${id}/delete`);
    expect(unconfirmed.statusCode).toBe(400);
    const deleted = await browser.submit(endpoint, `/webhooks/${id}/delete`, { confirm: 'on' });
    expect(deleted.statusCode).toBe(303);
    expect((await admin.get(`/v1.0/webhooks/${id}`)).statusCode).toBe(404);
  });

  it('the delivery log shows a refused attempt’s response code and next retry, then the delivery', async () => {
    const answers = [503];
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.statusCode = answers.shift() ?? 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const worker = startWebhookWorker(t.app.services, {
      pollMs: 60_000,
      logger: silentMailLogger,
      random: () => 0,
    });
    try {
      const { id } = (await admin.post('/v1.0/webhooks', { url, events: ['invitation.revoked'] })).json();
      const invited = (
        await admin.post('/v1.0/invitations', {
          invitedUserEmailAddress: 'revoked@partner.example',
          inviteRedirectUrl: 'https://example.com',
        })
      ).json();
      expect((await admin.post(`/v1.0/invitations/${invited.id}/revoke`, {})).statusCode).toBeLessThan(300);
      await worker.drain();
      const refused = await browser.get(`${base}/webhooks/${id}`);
      const row = /<tbody>([\s\S]*?)<\/tbody>/.exec(refused.body)![1]!;
      expect(row).toContain('invitation.revoked');
      expect(row).toContain('pending');
      expect(row).toContain('the endpoint answered 503');
      expect(row).toMatch(/<td>1<\/td>\s*<td>503<\/td><td>\d{4}-\d\d-\d\dT/);
      await t.app.services.db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: new Date(0).toISOString() })
        .where('endpoint_id', '=', id)
        .execute();
      await worker.drain();
      const delivered = /<tbody>([\s\S]*?)<\/tbody>/.exec(
        (await browser.get(`${base}/webhooks/${id}`)).body,
      )![1]!;
      expect(delivered).toContain('delivered');
      expect(delivered).toMatch(/<td>2<\/td>\s*<td>200<\/td><td>—<\/td>/);
    } finally {
      await worker.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a User Administrator and a Guest Inviter get the 403 page for providers and webhooks, and see no link', async () => {
    const hooksBefore = (await admin.get('/v1.0/webhooks')).json().value.length as number;
    const { id: hookId } = (
      await admin.post('/v1.0/webhooks', { url: 'https://hooks.example/x', events: ['guest.left'] })
    ).json();
    for (const [name, role] of [
      ['ua', 'User Administrator'],
      ['gi', 'Guest Inviter'],
    ] as const) {
      const { upn } = await memberWithRole(t, admin, `${name}-${dialect}`, role);
      const { browser: other, page } = await consoleAs(t, upn, PASSWORD);
      expect(page.body).not.toContain('>Identity providers</a>');
      expect(page.body).not.toContain('>Webhooks</a>');
      for (const path of ['/identity-providers', '/webhooks', `/webhooks/${hookId}`]) {
        const refused = await other.get(`${base}${path}`);
        expect(refused.statusCode, `${role} ${path}`).toBe(403);
        expect(refused.body).toContain('Your role does not allow this page.');
      }
      const posted = await other.submit(page, '/portal/logout', {});
      expect(posted.statusCode).toBe(303);
    }
    const { upn } = await memberWithRole(t, admin, `ua2-${dialect}`, 'User Administrator');
    const { browser: other, page } = await consoleAs(t, upn, PASSWORD);
    const csrf = formOf(page, '/portal/logout').csrf!;
    const post = await other.post(`${base}/webhooks`, {
      csrf,
      url: 'https://hooks.example/y',
      events: 'guest.left',
    });
    expect(post.statusCode).toBe(403);
    expect((await admin.get('/v1.0/webhooks')).json().value).toHaveLength(hooksBefore + 1);
  });

  it('another tenant’s provider and endpoint are a 404 page; a post without the CSRF token changes nothing', async () => {
    const other = await callerFor(t, fabrikam);
    const theirs = (
      await other.post('/v1.0/webhooks', { url: 'https://hooks.example/fab', events: ['guest.left'] })
    ).json();
    const theirIdp = (
      await other.post('/v1.0/identity/identityProviders', {
        '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
        displayName: 'Fabrikam IdP',
        clientId: 'x',
        clientSecret: 'y',
        metadataUrl: idp.metadataUrl,
      })
    ).json();
    const page = await browser.get(`${base}/webhooks`);
    const csrf = formOf(page, '/webhooks').csrf!;
    for (const [path, fields] of [
      [`/webhooks/${theirs.id}`, {}],
      [`/webhooks/${theirs.id}/delete`, { confirm: 'on' }],
      [`/identity-providers/${theirIdp.id}`, { displayName: 'mine now' }],
      [`/identity-providers/${theirIdp.id}/delete`, { confirm: 'on' }],
    ] as const) {
      if (!path.endsWith('delete')) expect((await browser.get(`${base}${path}`)).statusCode, path).toBe(404);
      const posted = await browser.post(`${base}${path}`, { csrf, ...fields });
      expect(posted.statusCode, path).toBe(404);
      expect(posted.headers['content-type']).toContain('text/html');
    }
    expect((await other.get(`/v1.0/webhooks/${theirs.id}`)).json().url).toBe('https://hooks.example/fab');
    expect((await other.get(`/v1.0/identity/identityProviders/${theirIdp.id}`)).json().displayName).toBe(
      'Fabrikam IdP',
    );

    const before = (await admin.get('/v1.0/webhooks')).json().value.length;
    const missing = await browser.post(`${base}/webhooks`, {
      url: 'https://hooks.example/z',
      events: 'guest.left',
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('Request_CsrfTokenInvalid');
    const forged = await browser.post(`${base}/identity-providers`, { ...oidcFields(), csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect((await admin.get('/v1.0/webhooks')).json().value.length).toBe(before);
    for (const path of ['/webhooks', '/identity-providers']) {
      const forms = formsOf((await browser.get(`${base}${path}`)).body);
      for (const form of forms) expect(form.fields.csrf, `${path} → ${form.action}`).toBeTruthy();
    }
  });

  /** The hidden fields of the form posting to `action`. */
  function formOf(page: { body: string }, action: string): Record<string, string> {
    const form = formsOf(page.body).find((f) => f.action.endsWith(action));
    if (!form) throw new Error(`no form posting to ${action}`);
    return form.fields;
  }

  /** A form post with repeated fields (checkboxes), as a browser sends it, with this browser's cookies. */
  function postForm(url: string, fields: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields))
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    return t.app.inject({
      method: 'POST',
      url,
      headers: {
        cookie: [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: body.toString(),
    });
  }

  function postWithEvents(page: { body: string }, events: string[]) {
    return postForm(`${base}/webhooks`, {
      ...formOf(page, '/webhooks'),
      url: 'https://hooks.example/foyer',
      events,
      description: 'CRM',
    });
  }
});
