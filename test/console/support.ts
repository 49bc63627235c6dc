import type { LightMyRequestResponse } from 'fastify';
import { assignRole } from '../../src/users/store.js';
import type { TestApp } from '../helpers/build-test-app.js';
import type { GraphClient } from '../helpers/graph.js';
import { follow } from '../helpers/oidc-app.js';
import { type PageClient, pageClient } from '../helpers/page-client.js';

/** Follows redirects (the page client never does) until a page answers. */
export async function settle(browser: PageClient, response: LightMyRequestResponse) {
  return follow(browser, response, 'nowhere');
}

/**
 * Signs in through the tenant's own provider from `start` (a console or My Apps page): the redirect to
 * /portal/login, the identifier and password pages, the callback, and back. Returns the landing page.
 */
export async function signInFrom(
  browser: PageClient,
  start: LightMyRequestResponse,
  email: string,
  password: string,
): Promise<LightMyRequestResponse> {
  const identify = await settle(browser, start);
  // The browser may still be signed in to Foyer itself (single sign-on): then it comes straight back.
  if (!identify.body.includes('/identify"')) return identify;
  const pw = await browser.submit(identify, '/identify', { email });
  const after = await browser.submit(pw, '/password', { password });
  return settle(browser, after);
}

export async function consoleAs(t: TestApp, email: string, password: string, path = '/admin') {
  const browser = pageClient(t.app);
  const page = await signInFrom(browser, await browser.get(`/${t.tenant.tenantId}${path}`), email, password);
  return { browser, page };
}

export const PASSWORD = 'correct horse battery staple';

/** A member with a password and, optionally, a directory role. */
export async function memberWithRole(t: TestApp, admin: GraphClient, name: string, role?: string) {
  const upn = `${name}@${t.tenant.adminUserPrincipalName.split('@')[1]}`;
  const created = await admin.post('/v1.0/users', {
    accountEnabled: true,
    displayName: name,
    mailNickname: name,
    userPrincipalName: upn,
    passwordProfile: { password: PASSWORD },
  });
  const id = (created.json() as { id: string }).id;
  if (role) await assignRole(t.app.services.db, t.tenant.tenantId, id, role);
  return { id, upn };
}
