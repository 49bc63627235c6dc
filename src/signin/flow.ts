import type { FastifyReply } from 'fastify';
import type { WebSession } from '../sessions/service.js';
import type { TenantRow } from '../tenants/store.js';
import type { PageLanguage } from '../web/i18n/index.js';

/**
 * Where a sign-in happens: inside an OIDC interaction of a tenant's provider, or inside a redemption. The
 * steps (src/signin/steps.ts) are the same; the flow says where forms post, what they carry, and what happens
 * once the person is signed in.
 */
export interface SignInFlow {
  /** Forms post to `${base}/${step}`. */
  base: string;
  /** Hidden fields every form carries (the redemption's ticket). */
  hidden: Record<string, string>;
  /** The organization the page is for (name, branding, mail sender, passcode policy); null at /signup. */
  tenant: TenantRow | null;
  language: PageLanguage;
  appName?: string;
  /** The application an OIDC sign-in is for (the sign-in log names it). */
  app?: { appId: string; displayName: string };
  /** Redemption: the address is the invited one; the person does not type it. */
  fixedEmail?: string;
  /** /signup: the address step leads to creating a personal account. */
  allowSignUp?: boolean;
  /** Whether the organization accepts one-time passcodes at all: the password page then offers one to anyone. */
  passcodeOffered(): Promise<boolean>;
  /** Whether a passcode is actually mailed to, and accepted from, this address (a guest who may use it). */
  passcodeAllowed(email: string): Promise<boolean>;
  /**
   * Home realm discovery (issue 9): sends the browser to the identity provider the address signs in with, if any,
   * and returns the reply; undefined when the address signs in here.
   */
  federate?(email: string, reply: FastifyReply): Promise<unknown>;
  /** Called once the person proved who they are (the session cookie is already set). */
  complete(session: WebSession, reply: FastifyReply): Promise<unknown>;
}
