import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { registerDemoApp } from '../../src/demo/registration.js';
import type { MailWorker } from '../../src/mail/worker.js';
import { type AxeViolation, launchChromium, seriousViolations } from '../helpers/browser.js';
import { mailingTestApp, type TestApp } from '../helpers/build-test-app.js';
import type { DialectName } from '../helpers/database.js';
import type { GraphClient } from '../helpers/graph.js';
import { freePort } from '../helpers/process.js';
import type { CaughtMail, SmtpCatcher } from '../helpers/smtp-catcher.js';

export interface FlowEnv {
  t: TestApp;
  base: string;
  admin: GraphClient;
  catcher: SmtpCatcher;
  worker: MailWorker;
  browser: Browser;
  /** Every serious or critical axe-core violation met on any page, by URL. */
  violations: Array<{ url: string; violations: AxeViolation[] }>;
  /** How many pages axe-core checked. */
  audited: number;
  close(): Promise<void>;
}

/** Foyer on a real port (its base URL), mail over real SMTP to a catcher, and headless Chromium. */
export async function startFlowEnv(dialect: DialectName, env: Record<string, string> = {}): Promise<FlowEnv> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const mailing = await mailingTestApp(dialect, { env: { FOYER_BASE_URL: base, ...env }, pollMs: 100 });
  const { t, admin, catcher, worker } = mailing;
  await t.app.listen({ port, host: '127.0.0.1' });
  await registerDemoApp(t.app.services, t.tenant.tenantId);
  const browser = await launchChromium();
  return {
    t,
    base,
    admin,
    catcher,
    worker,
    browser,
    violations: [],
    audited: 0,
    async close() {
      await browser.close();
      await mailing.close();
    },
  };
}

/** Checks the page with axe-core and remembers what it found (asserted once per file). */
export async function audit(env: FlowEnv, page: Page): Promise<void> {
  const found = await seriousViolations(page);
  env.audited++;
  if (found.length > 0) env.violations.push({ url: page.url(), violations: found });
}

/** The newest mail to `address` that matches, waiting for the outbox worker to deliver it. */
export async function mailTo(
  env: FlowEnv,
  address: string,
  match: (mail: CaughtMail) => boolean,
): Promise<CaughtMail> {
  for (let i = 0; i < 100; i++) {
    const mail = env.catcher.messages
      .filter((m) => m.envelope.to.some((to) => to.toLowerCase() === address.toLowerCase()))
      .filter(match)
      .at(-1);
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no matching mail reached ${address}`);
}

const codeMailsTo = (env: FlowEnv, address: string) =>
  env.catcher.messages.filter(
    (m) => isCodeMail(m) && m.envelope.to.some((to) => to.toLowerCase() === address.toLowerCase()),
  );

/**
 * Runs `action` (a click that mails a code) and returns the code of the mail it caused: the first code mail to
 * the address after those already there (an older code is retired by a newer one).
 */
export async function codeMailedBy(
  env: FlowEnv,
  address: string,
  action: () => Promise<unknown>,
): Promise<string> {
  const before = codeMailsTo(env, address).length;
  await action();
  for (let i = 0; i < 100; i++) {
    const mails = codeMailsTo(env, address);
    if (mails.length > before) return codeOf(mails.at(-1)!);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no new code reached ${address}`);
}

export const redeemLinkOf = (mail: CaughtMail, base: string): string => {
  const link = new RegExp(`${base.replace(/[.:/]/g, '\\$&')}/redeem\\?ticket=[A-Za-z0-9_-]+`).exec(
    mail.parsed.text ?? '',
  )?.[0];
  if (!link) throw new Error(`no redeem link in:\n${mail.parsed.text}`);
  return link;
};

export const codeOf = (mail: CaughtMail): string => {
  const code = /\b(\d{8})\b/.exec(mail.parsed.text ?? '')?.[1];
  if (!code) throw new Error(`no code in:\n${mail.parsed.text}`);
  return code;
};

export const isCodeMail = (mail: CaughtMail) => /\b\d{8}\b/.test(mail.parsed.subject ?? '');

/** Invites `email` with the mail sent, its redirect URL the demo app. */
export async function inviteWithMail(env: FlowEnv, email: string, extra: Record<string, unknown> = {}) {
  const response = await env.admin.post('/v1.0/invitations', {
    invitedUserEmailAddress: email,
    inviteRedirectUrl: `${env.base}/demo`,
    sendInvitationMessage: true,
    ...extra,
  });
  expect(response.statusCode).toBe(201);
  const mail = await mailTo(env, email, (m) => !isCodeMail(m));
  return {
    link: redeemLinkOf(mail, env.base),
    guestId: (response.json() as { invitedUser: { id: string } }).invitedUser.id,
  };
}
