import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCOVERY_CACHE_SECONDS } from '../../src/federation/provider-client.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { type FaultyIdp, startFaultyIdp } from '../helpers/faulty-idp.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { pageClient } from '../helpers/page-client.js';
import { inviteGuest } from '../redemption/support.js';

const PROVIDERS = '/v1.0/identity/identityProviders';

/**
 * The provider's discovery document is read once per DISCOVERY_CACHE_SECONDS, not at each step of each sign-in;
 * changing the provider reads it again at once. Counted at the IdP, which serves the document.
 */
describe.each(testDialects())("the provider's discovery document is cached (%s)", (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let admin: GraphClient;
  let idp: FaultyIdp;
  let providerId: string;

  beforeAll(async () => {
    idp = await startFaultyIdp();
    t = await buildTestApp(dialect, { clock });
    admin = await adminCaller(t);
    const created = await admin.post(PROVIDERS, {
      '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
      displayName: 'Partner IdP',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      metadataUrl: idp.metadataUrl,
      domains: ['cached.example'],
    });
    expect(created.statusCode, created.body).toBe(201);
    providerId = created.json().id;
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  /** A whole redemption through the IdP, up to "Review permissions"; returns how many discoveries it cost. */
  async function discoveriesOfOneRedemption(login: string) {
    const before = idp.discoveryFetches;
    const email = `${login}@cached.example`;
    idp.fault = 'none';
    idp.person = { sub: login, email };
    const { path } = await inviteGuest(admin, email);
    const browser = pageClient(t.app);
    const toIdp = await browser.submit(await browser.get(path), '/redeem/start');
    const back = new URL(await idp.authorize(String(toIdp.headers.location)));
    const callback = await browser.get(`${back.pathname}${back.search}`);
    expect((await browser.get(String(callback.headers.location))).body).toContain('Review permissions');
    return idp.discoveryFetches - before;
  }

  it('reads it (and the JWKS) once for several sign-ins, again after a change to the provider and after the cache time', async () => {
    const jwksBefore = idp.jwksFetches;
    expect(await discoveriesOfOneRedemption('first')).toBe(1);
    expect(await discoveriesOfOneRedemption('second')).toBe(0);
    // The keys that verified the first ID token verify the second (openid-client refetches them by its rules).
    expect(idp.jwksFetches - jwksBefore).toBe(1);

    const patched = await admin.patch(`${PROVIDERS}/${providerId}`, { displayName: 'Partner' });
    expect(patched.statusCode).toBe(204);
    expect(await discoveriesOfOneRedemption('third')).toBe(1);
    expect(await discoveriesOfOneRedemption('fourth')).toBe(0);

    clock.advance(DISCOVERY_CACHE_SECONDS * 1000 + 1000);
    expect(await discoveriesOfOneRedemption('fifth')).toBe(1);
    clock.reset();
  });

  it('a provider that is down is not remembered as down', async () => {
    const patched = await admin.patch(`${PROVIDERS}/${providerId}`, { scope: 'openid email' });
    expect(patched.statusCode).toBe(204);
    idp.discoveryDown = true;
    try {
      const { path } = await inviteGuest(admin, 'down@cached.example');
      const browser = pageClient(t.app);
      const page = await browser.submit(await browser.get(path), '/redeem/start');
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('could not complete your sign-in');
    } finally {
      idp.discoveryDown = false;
    }
    expect(await discoveriesOfOneRedemption('after-outage')).toBe(1);
  });
});
