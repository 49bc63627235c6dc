import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { startFederation } from '../federation/flow.js';
import type { Inviter } from '../invitations/inviter.js';
import type { MessageInfo } from '../invitations/schemas.js';
import { type MfaGateInput, mfaBody, mfaGate, submitMfa } from '../mfa/gate.js';
import { accountInTenant } from '../oidc/interactions/accounts.js';
import { sameEmail } from '../sessions/identity.js';
import { currentSession, endSession, type WebSession } from '../sessions/service.js';
import type { SignInFlow } from '../signin/flow.js';
import { logSignIn, methodOf } from '../signin/log.js';
import { runStep, SIGN_IN_STEPS, sendPage, showMethod, stepBody } from '../signin/steps.js';
import type { MfaLogDetail } from '../signins/attempts.js';
import { assertCsrf, csrfToken } from '../web/csrf.js';
import { registerPageErrors } from '../web/errors.js';
import { dictionaryOf, fill, type PageLanguage, pageLanguage } from '../web/i18n/index.js';
import { limitSignIns } from '../web/limits.js';
import { redeemInvitation } from './bind.js';
import { consentPage, landingPage, messagePage } from './pages.js';
import { assertRedeemableDomain, pathFor, routeFor } from './service.js';
import { type OpenInvitation, openTicket } from './tickets.js';

const ticketQuery = z.object({ ticket: z.string().max(200).optional() });
const consentBody = z.object({
  ticket: z.string().max(200).optional(),
  csrf: z.string().max(200).optional(),
  decision: z.enum(['accept', 'cancel']).optional(),
});

/** Where the tenant federates the address, only an identity from that provider redeems it (issue 9). */
async function sessionFits(services: Services, open: OpenInvitation, session: WebSession | undefined) {
  if (!session || !sameEmail(session.identity.email, open.invitation.invited_email)) return false;
  const { provider } = await routeFor(services, open.tenant, open.invitation.invited_email);
  return !provider || (session.identity.kind === 'federated' && session.identity.issuer === provider.issuer);
}

function languageOf(open: OpenInvitation, request: FastifyRequest): PageLanguage {
  const info = JSON.parse(open.invitation.message_info) as MessageInfo;
  return pageLanguage({
    uiLocales: info.messageLanguage,
    preferredLanguage: open.guest.preferred_language,
    acceptLanguage: request.headers['accept-language'],
  });
}

/**
 * `{base}/redeem?ticket=…` (PRODUCT §4.2–§4.3): who invites whom, then the sign-in the precedence picks, then
 * "Review permissions", then the invitation's redirect URL. `GET` only reads (mail scanners prefetch links);
 * every change is a CSRF-checked POST carrying the ticket.
 */
export async function redemptionPlugin(root: FastifyInstance, { services }: { services: Services }) {
  await root.register(formbody);
  const app = root.withTypeProvider<ZodTypeProvider>();
  registerPageErrors(app);
  app.addHook('preHandler', async (request, reply) => {
    if (await limitSignIns(services, request, reply)) return reply;
  });

  const redeemedPage = (reply: FastifyReply, open: OpenInvitation, language: PageLanguage) => {
    const t = dictionaryOf(language);
    return sendPage(
      reply,
      messagePage({
        tenant: open.tenant,
        language,
        heading: t.redeemedHeading,
        text: fill(t.redeemedText, {
          organization: open.tenant.display_name,
          email: open.invitation.invited_email,
        }),
        link: { href: open.invitation.invite_redirect_url, label: t.signInButton },
      }),
    );
  };

  /** After sign-in: the identity must be the invited address, and the domain still allowed; then consent. */
  async function review(
    request: FastifyRequest,
    reply: FastifyReply,
    open: OpenInvitation,
    session: WebSession,
    ticket: string,
  ) {
    const language = languageOf(open, request);
    const email = open.invitation.invited_email;
    if (!sameEmail(session.identity.email, email)) {
      throw new FoyerError('noAccessToTenant', 'The signed-in identity is not the invited address.', {
        pageValues: { email: session.identity.email, organization: open.tenant.display_name },
      });
    }
    await assertRedeemableDomain(services, open.tenant, email);
    const csrf = csrfToken(services, request, reply);
    return sendPage(
      reply,
      consentPage({
        tenant: open.tenant,
        language,
        csrf,
        hidden: { ticket },
        action: '/redeem/consent',
        guestConsent: true,
      }),
    );
  }

  function flowFor(request: FastifyRequest, open: OpenInvitation, ticket: string): SignInFlow {
    const email = open.invitation.invited_email;
    return {
      base: '/redeem',
      hidden: { ticket },
      tenant: open.tenant,
      language: languageOf(open, request),
      fixedEmail: email,
      passcodeOffered: async () => false,
      // Only where the precedence says so: an address with a home account signs in with it (PRODUCT §4.3).
      passcodeAllowed: async (candidate) =>
        sameEmail(candidate, email) && (await pathFor(services, open.tenant, email)) === 'passcode',
      complete: (session, reply) => review(request, reply, open, session, ticket),
    };
  }

  app.get('/redeem', { schema: { hide: true, querystring: ticketQuery } }, async (request, reply) => {
    const open = await openTicket(services, request.query.ticket);
    const language = languageOf(open, request);
    if (open.redeemed) return redeemedPage(reply, open, language);
    const session = await currentSession(services, request);
    const inviter = JSON.parse(open.invitation.inviter) as Inviter;
    return sendPage(
      reply,
      landingPage({
        tenant: open.tenant,
        language,
        csrf: csrfToken(services, request, reply),
        hidden: { ticket: request.query.ticket ?? '' },
        inviterName: inviter.displayName ?? open.tenant.display_name,
        email: open.invitation.invited_email,
        ...(session && { signedInAs: session.identity.email }),
      }),
    );
  });

  app.post('/redeem/start', { schema: { hide: true, body: stepBody } }, async (request, reply) => {
    assertCsrf(services, request, request.body.csrf);
    const ticket = request.body.ticket ?? '';
    const open = await openTicket(services, ticket);
    if (open.redeemed) return redeemedPage(reply, open, languageOf(open, request));
    const email = open.invitation.invited_email;
    await assertRedeemableDomain(services, open.tenant, email);
    const session = await currentSession(services, request);
    const { path, provider } = await routeFor(services, open.tenant, email);
    if (session && (await sessionFits(services, open, session)))
      return review(request, reply, open, session, ticket);
    if (provider) {
      return startFederation(services, request, reply, {
        tenant: open.tenant,
        provider,
        context: { purpose: 'redeem', ticket },
        loginHint: email,
      });
    }
    const flow = flowFor(request, open, ticket);
    const method = path === 'passcode' ? 'passcode' : path === 'signup' ? 'signup' : 'password';
    return showMethod(services, request, reply, flow, method, email);
  });

  // Back from the guest's identity provider (src/federation): "Review permissions" for the identity it proved.
  app.get('/redeem/review', { schema: { hide: true, querystring: ticketQuery } }, async (request, reply) => {
    const ticket = request.query.ticket ?? '';
    const open = await openTicket(services, ticket);
    if (open.redeemed) return redeemedPage(reply, open, languageOf(open, request));
    const session = await currentSession(services, request);
    if (!session || !(await sessionFits(services, open, session)))
      return reply.redirect(`/redeem?ticket=${encodeURIComponent(ticket)}`, 303);
    return review(request, reply, open, session, ticket);
  });

  app.post('/redeem/switch', { schema: { hide: true, body: stepBody } }, async (request, reply) => {
    assertCsrf(services, request, request.body.csrf);
    const ticket = request.body.ticket ?? '';
    await openTicket(services, ticket);
    await endSession(services, request, reply);
    return reply.redirect(`/redeem?ticket=${encodeURIComponent(ticket)}`, 303);
  });

  app.post('/redeem/consent', { schema: { hide: true, body: consentBody } }, async (request, reply) => {
    assertCsrf(services, request, request.body.csrf);
    const ticket = request.body.ticket ?? '';
    const open = await openTicket(services, ticket);
    const language = languageOf(open, request);
    if (open.redeemed) return redeemedPage(reply, open, language);
    const session = await currentSession(services, request);
    const email = open.invitation.invited_email;
    if (!session || !(await sessionFits(services, open, session))) {
      return reply.redirect(`/redeem?ticket=${encodeURIComponent(ticket)}`, 303);
    }
    const log = (outcome: Parameters<typeof logSignIn>[3]['outcome'], mfa?: MfaLogDetail) =>
      logSignIn(services, request, open, {
        method: methodOf(session.amr),
        outcome,
        user: open.guest,
        identity: session.identity,
        correlationId: open.invitation.id,
        ...(mfa && { mfa }),
      });
    if (request.body.decision !== 'accept') {
      await log('consentDeclined');
      const t = dictionaryOf(language);
      return sendPage(
        reply,
        messagePage({ tenant: open.tenant, language, heading: t.cancelledHeading, text: t.cancelledText }),
      );
    }
    await assertRedeemableDomain(services, open.tenant, email).catch(async (error) => {
      await log('domainNotAllowed');
      throw error;
    });
    await redeemInvitation(services, {
      invitation: open.invitation,
      guest: open.guest,
      identity: session.identity,
      organizationName: open.tenant.display_name,
      ipAddress: request.ip,
      jit: false,
    });
    // The resource tenant's MFA (src/mfa), last: after consent, before the redirect.
    const mfa = await mfaGate(services, request, reply, mfaInput(request, open, session, ticket));
    if (mfa.kind === 'shown') return reply;
    await log('success', mfa.mfa);
    return reply.redirect(open.invitation.invite_redirect_url, 303);
  });

  const mfaInput = (
    request: FastifyRequest,
    open: OpenInvitation,
    session: WebSession,
    ticket: string,
  ): MfaGateInput => ({
    tenant: open.tenant,
    user: open.guest,
    session,
    language: languageOf(open, request),
    action: '/redeem/mfa',
    hidden: { ticket },
    flow: open,
    correlationId: open.invitation.id,
  });

  /** The MFA forms of a redemption that was just accepted; then the invitation's redirect URL. */
  app.post('/redeem/mfa', { schema: { hide: true, body: mfaBody } }, async (request, reply) => {
    assertCsrf(services, request, request.body.csrf);
    const ticket = request.body.ticket ?? '';
    const open = await openTicket(services, ticket);
    const session = await currentSession(services, request);
    const account = session && (await accountInTenant(services, open.tenant.id, session.identity));
    if (!open.redeemed || !session || account?.kind !== 'user' || account.user.id !== open.guest.id)
      return reply.redirect(`/redeem?ticket=${encodeURIComponent(ticket)}`, 303);
    const mfa = await submitMfa(
      services,
      request,
      reply,
      mfaInput(request, open, session, ticket),
      request.body,
    );
    if (mfa.kind === 'shown') return reply;
    await logSignIn(services, request, open, {
      method: methodOf(session.amr),
      outcome: 'success',
      user: open.guest,
      identity: session.identity,
      correlationId: open.invitation.id,
      ...(mfa.mfa && { mfa: mfa.mfa }),
    });
    return reply.redirect(open.invitation.invite_redirect_url, 303);
  });

  app.post(
    '/redeem/:step',
    { schema: { hide: true, params: z.object({ step: z.enum(SIGN_IN_STEPS) }), body: stepBody } },
    async (request, reply) => {
      assertCsrf(services, request, request.body.csrf);
      const ticket = request.body.ticket ?? '';
      const open = await openTicket(services, ticket);
      if (open.redeemed) return redeemedPage(reply, open, languageOf(open, request));
      return runStep(
        services,
        request,
        reply,
        flowFor(request, open, ticket),
        request.params.step,
        request.body,
      );
    },
  );
}
