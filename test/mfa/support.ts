import type { LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { TestApp } from '../helpers/build-test-app.js';
import type { MovableClock } from '../helpers/clock.js';
import type { GraphClient } from '../helpers/graph.js';
import { follow, relyingParty, startAuthorization } from '../helpers/oidc-app.js';
import { type PageClient, pageClient } from '../helpers/page-client.js';

export const REDIRECT = 'https://app.example/callback';

/** The base32 key the enrolment page shows (grouped by four), as a person would copy it into an app. */
export function shownSecret(page: LightMyRequestResponse): string {
  const match = /<code id="mfa-secret">([A-Z2-7 ]+)<\/code>/.exec(page.body);
  if (!match) throw new Error(`no key on the page:\n${page.body}`);
  return match[1]!.replace(/ /g, '');
}

/** The code an authenticator app shows for `secret` at the clock's time (RFC 6238, SHA-1, 6 digits, 30 s). */
export const codeAt = (secret: string, clock: MovableClock, offsetMs = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: clock.now().getTime() + offsetMs });

/** The recovery codes the page shows once. */
export const shownRecoveryCodes = (page: LightMyRequestResponse): string[] =>
  [...page.body.matchAll(/<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code><\/li>/g)].map((m) => m[1]!);

export async function registerApp(admin: GraphClient, name = 'MFA app'): Promise<string> {
  const created = await admin.post('/v1.0/applications', {
    displayName: name,
    publicClient: { redirectUris: [REDIRECT] },
  });
  expect(created.statusCode).toBe(201);
  return (created.json() as { appId: string }).appId;
}

export async function setPolicy(admin: GraphClient, patch: Record<string, unknown>) {
  const response = await admin.patch('/v1.0/policies/b2bManagementPolicy', patch);
  expect(response.statusCode).toBe(204);
}

/** An authorization of `clientId` at `tenant`, opened in `browser` (a new one unless given). */
export async function openApp(t: TestApp, tenant: string, clientId: string, browser?: PageClient) {
  const rp = await relyingParty(t.app, { tenant, clientId });
  const started = await startAuthorization(rp, { redirectUri: REDIRECT, scope: 'openid profile' });
  const client = browser ?? pageClient(t.app);
  const page = await follow(client, await client.get(started.url.pathname + started.url.search), REDIRECT);
  return { rp, started, browser: client, page };
}

/** Email, then password: the page that follows (MFA, review, or the redirect to the app). */
export async function passwordSignIn(
  browser: PageClient,
  page: LightMyRequestResponse,
  email: string,
  password: string,
) {
  const passwordPage = await browser.submit(page, '/identify', { email });
  return follow(browser, await browser.submit(passwordPage, '/password', { password }), REDIRECT);
}

export const isEnrolPage = (page: LightMyRequestResponse) =>
  page.statusCode === 200 && page.body.includes('Set up two-step verification');
export const isVerifyPage = (page: LightMyRequestResponse) =>
  page.body.includes('Enter the code from your authenticator app');
