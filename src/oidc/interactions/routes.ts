import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { InteractionDetails, Provider } from 'oidc-provider';
import * as z from 'zod';
import { findAccountByEmail } from '../../accounts/store.js';
import type { Services } from '../../app/services.js';
import { FoyerError } from '../../errors/catalogue.js';
import { startFederation } from '../../federation/flow.js';
import { providerForSignIn } from '../../federation/realm.js';
import { type MfaGateInput, mfaBody, mfaGate, submitMfa } from '../../mfa/gate.js';
import { recordConsent, redeemInvitation } from '../../redemption/bind.js';
import { type AppConsent, consentPage } from '../../redemption/pages.js';
import { assertRedeemableDomain, passcodeEnabled } from '../../redemption/service.js';
import { currentSession, endSession, type WebSession } from '../../sessions/service.js';
import type { SignInFlow } from '../../signin/flow.js';
import { logSignIn, methodOf } from '../../signin/log.js';
import { findMemberByEmail } from '../../signin/members.js';
import { emailPage } from '../../signin/pages.js';
import { runStep, SIGN_IN_STEPS, sendPage, stepBody } from '../../signin/steps.js';
import type { MfaLogDetail } from '../../signins/attempts.js';
import { findTenantById, type TenantRow } from '../../tenants/store.js';
import { assertCsrf, csrfToken } from '../../web/csrf.js';
import { registerPageErrors } from '../../web/errors.js';
import { dictionaryOf, fill, type PageLanguage, pageLanguage } from '../../web/i18n/index.js';
import { limitSignIns } from '../../web/limits.js';
import { scpOf } from '../delegated.js';
import type { OidcProviders } from '../providers.js';
import { accountInTenant } from './accounts.js';
import { freshMatches, freshProof } from './fresh.js';

const params = z.object({ tenantId: z.uuid(), uid: z.string().min(1).max(64) });
const decisionBody = z.object({
  fresh: z.string().max(100).optional(),
  csrf: z.string().max(200).optional(),
  decision: z.enum(['accept', 'cancel']).optional(),
});

interface Interaction {
  provider: Provider;
  details: InteractionDetails;
  tenant: TenantRow;
  language: PageLanguage;
  appName: string | undefined;
  app?: { appId: string; displayName: string };
  base: string;
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/**
 * The sign-in pages of a tenant's provider (oidc-provider "interactions"): the provider sends the browser to
 * `/{tenantId}/login/{uid}` when it needs a login or a consent, and these routes resume it with
 * interactionResult. Steps: sign in (or reuse the browser's session) → the account in this tenant (member,
 * bound guest, or a pending guest redeemed just in time) → a guest's "Review permissions" → back to the app.
 */
export async function interactionsPlugin(
  root: FastifyInstance,
  { services, providers }: { services: Services; providers: OidcProviders },
) {
  await root.register(formbody);
  const app = root.withTypeProvider<ZodTypeProvider>();
  registerPageErrors(app);
  app.addHook('preHandler', async (request, reply) => {
    if (await limitSignIns(services, request, reply)) return reply;
  });
  const basePath = new URL(services.config.baseUrl).pathname.replace(/\/+$/, '');

  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Interaction> {
    const { tenantId, uid } = params.parse(request.params);
    const expired = () => new FoyerError('interactionExpired', 'The sign-in is unknown or expired.');
    if ((await providers.resolveTenant(tenantId)) !== tenantId) throw expired();
    const [{ provider }, tenant] = await Promise.all([
      providers.get(tenantId),
      findTenantById(services.db, tenantId),
    ]);
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch {
      throw expired();
    }
    if (details.uid !== uid || !tenant) throw expired();
    const client = details.params.client_id
      ? await provider.Client.find(details.params.client_id)
      : undefined;
    const accept = request.headers['accept-language'];
    return {
      provider,
      details,
      tenant,
      language: pageLanguage({ uiLocales: details.params.ui_locales ?? null, acceptLanguage: accept }),
      appName: client?.clientName,
      ...(client && { app: { appId: client.clientId, displayName: client.clientName ?? client.clientId } }),
      base: `${basePath}/${tenantId}/login/${uid}`,
    };
  }

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    interaction: Interaction,
    result: Record<string, unknown>,
  ) {
    const url = await interaction.provider.interactionResult(request.raw, reply.raw, result, {
      mergeWithLastSubmission: 'consent' in result,
    });
    return reply.redirect(url, 303);
  }

  const declined = { error: 'access_denied', error_description: 'The user declined.' };

  function flowOf(request: FastifyRequest, interaction: Interaction): SignInFlow {
    const tenantId = interaction.tenant.id;
    return {
      base: interaction.base,
      hidden: {},
      tenant: interaction.tenant,
      language: interaction.language,
      ...(interaction.appName && { appName: interaction.appName }),
      ...(interaction.app && { app: interaction.app }),
      passcodeOffered: () => passcodeEnabled(services, tenantId),
      // The passcode signs in guests, never members nor personal accounts (they have passwords, PRODUCT §4.3):
      // a guest of this tenant bound to the address, or a pending invitation to it.
      passcodeAllowed: async (email) => {
        if (!(await passcodeEnabled(services, tenantId))) return false;
        if ((await findMemberByEmail(services.db, email)) || (await findAccountByEmail(services.db, email))) {
          return false;
        }
        const account = await accountInTenant(services, tenantId, { kind: 'mail', email, name: email });
        return account.kind === 'jit' || (account.kind === 'user' && account.user.user_type === 'Guest');
      },
      federate: async (email, reply) => {
        const provider = await providerForSignIn(services, tenantId, email);
        if (!provider) return undefined;
        return startFederation(services, request, reply, {
          tenant: interaction.tenant,
          provider,
          context: { purpose: 'signin', uid: interaction.details.uid },
          loginHint: email,
        });
      },
      complete: (session, reply) => continueAs(request, reply, interaction, session),
    };
  }

  function signInPage(
    request: FastifyRequest,
    reply: FastifyReply,
    interaction: Interaction,
    error?: string,
  ) {
    const csrf = csrfToken(services, request, reply);
    const hint = interaction.details.params.login_hint;
    const email = typeof hint === 'string' && hint.length <= 254 ? hint : '';
    return sendPage(
      reply,
      emailPage({ flow: flowOf(request, interaction), csrf, email, ...(error && { error }) }),
      error ? 403 : 200,
    );
  }

  /** "Review permissions": the guest's consent to the tenant (`review`), or what an app asks for (`consent`). */
  function reviewPage(
    request: FastifyRequest,
    reply: FastifyReply,
    interaction: Interaction,
    step: 'review' | 'consent' = 'review',
    hidden: Record<string, string> = {},
  ) {
    const { tenant, language } = interaction;
    return sendPage(
      reply,
      consentPage({
        tenant,
        language,
        csrf: csrfToken(services, request, reply),
        hidden,
        action: `${interaction.base}/${step}`,
        guestConsent: step === 'review',
        ...(step === 'consent' && { app: appConsent(interaction) }),
      }),
    );
  }

  /** The person is signed in at Foyer: find who they are in this tenant, and finish or ask for consent. */
  async function continueAs(
    request: FastifyRequest,
    reply: FastifyReply,
    interaction: Interaction,
    session: WebSession,
    reused = false,
  ) {
    const { tenant } = interaction;
    const t = dictionaryOf(interaction.language);
    const account = await accountInTenant(services, tenant.id, session.identity);
    const log = (outcome: Parameters<typeof logSignIn>[3]['outcome'], mfa?: MfaLogDetail) =>
      logSignIn(services, request, interaction, {
        method: reused ? 'previousSession' : methodOf(session.amr),
        outcome,
        identity: session.identity,
        ...(account.kind !== 'none' && { user: account.user }),
        correlationId: interaction.details.uid,
        ...(mfa && { mfa }),
      });
    if (account.kind === 'none') {
      await log('guestNotInTenant');
      const values = { email: session.identity.email, organization: tenant.display_name };
      return signInPage(request, reply, interaction, fill(t.errorNoAccess, values));
    }
    if (account.user.account_enabled !== 1) {
      await log('accountDisabled');
      throw new FoyerError('accountDisabled', 'The account is disabled.');
    }
    if (revokedFor(account.user, session)) {
      // Revoked since this browser signed in: sign in again (the provider would refuse the old sign-in anyway).
      await endSession(services, request, reply);
      return signInPage(request, reply, interaction);
    }
    if (account.kind === 'jit') {
      await assertRedeemableDomain(services, tenant, account.invitation.invited_email).catch(
        async (error) => {
          await log('domainNotAllowed');
          throw error;
        },
      );
    }
    if (
      account.kind === 'jit' ||
      (account.user.user_type === 'Guest' && account.user.consented_at === null)
    ) {
      return reviewPage(
        request,
        reply,
        interaction,
        'review',
        reused ? {} : { fresh: freshProofOf(interaction, session) },
      );
    }
    // The resource tenant's MFA (src/mfa), last: after consent, before the login completes.
    const mfa = await mfaGate(services, request, reply, mfaInput(interaction, session, account.user, reused));
    if (mfa.kind === 'shown') return reply;
    await log('success', mfa.mfa);
    return finish(request, reply, interaction, {
      login: { accountId: account.user.id, amr: mfa.amr, ts: session.authTime },
    });
  }

  const mfaInput = (
    interaction: Interaction,
    session: WebSession,
    user: MfaGateInput['user'],
    reused: boolean,
  ): MfaGateInput => ({
    tenant: interaction.tenant,
    user,
    session,
    language: interaction.language,
    action: `${interaction.base}/mfa`,
    hidden: reused ? {} : { fresh: freshProofOf(interaction, session) },
    flow: interaction,
    correlationId: interaction.details.uid,
  });

  /**
   * The browser's session when it may answer this interaction: signed in during it (`fresh`, the form's proof),
   * or usable as it is (sessionUsable).
   */
  async function provenSession(request: FastifyRequest, interaction: Interaction, fresh: string | undefined) {
    const session = await currentSession(services, request);
    if (!session) return undefined;
    const proven = freshMatches(services, interaction.details.uid, session.authTime, fresh);
    return proven || sessionUsable(interaction, session) ? { session, proven } : undefined;
  }

  /**
   * Whether the browser's session, signed in before this request, may answer it: not for prompt=login (a sign-in
   * made during this interaction is proven by `freshProof` instead), and for max_age only when recent enough
   * (OIDC Core §3.1.2.1).
   */
  function sessionUsable(interaction: Interaction, session: WebSession | undefined): session is WebSession {
    if (!session) return false;
    const { details } = interaction;
    if (details.prompt.reasons.includes('login_prompt')) return false;
    const maxAge = details.params.max_age === undefined ? Number.NaN : Number(details.params.max_age);
    const now = Math.floor(services.clock.now().getTime() / 1000);
    return !(Number.isFinite(maxAge) && now - session.authTime > maxAge);
  }

  /** Proof, carried by the review form, that the browser signed in during this very interaction (./fresh.ts). */
  const freshProofOf = (interaction: Interaction, session: WebSession) =>
    freshProof(services, interaction.details.uid, session.authTime);

  /** A session that predates the account's signInSessionsValidFrom (same-second sessions count as newer). */
  const revokedFor = (user: { sign_in_sessions_valid_from: string | null }, session: WebSession) =>
    user.sign_in_sessions_valid_from !== null &&
    session.authTime < Math.floor(Date.parse(user.sign_in_sessions_valid_from) / 1000);

  function appConsent(interaction: Interaction): AppConsent {
    const requested = String(interaction.details.params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    return {
      name: interaction.appName ?? interaction.details.params.client_id ?? '',
      scopes: requested.filter((scope) => OIDC_SCOPES.has(scope)),
      apiPermissions: scpOf(requested.join(' '), services.config.baseUrl).split(' ').filter(Boolean),
    };
  }

  app.get('/:tenantId/login/:uid', { schema: { hide: true, params } }, async (request, reply) => {
    const interaction = await load(request, reply);
    if (interaction.details.prompt.name === 'consent')
      return reviewPage(request, reply, interaction, 'consent');
    const session = await currentSession(services, request);
    if (sessionUsable(interaction, session)) return continueAs(request, reply, interaction, session, true);
    return signInPage(request, reply, interaction);
  });

  app.post(
    '/:tenantId/login/:uid/review',
    { schema: { hide: true, body: decisionBody } },
    async (request, reply) => {
      assertCsrf(services, request, request.body.csrf);
      const interaction = await load(request, reply);
      const { session } = (await provenSession(request, interaction, request.body.fresh)) ?? {};
      if (!session) return signInPage(request, reply, interaction);
      if (request.body.decision !== 'accept') {
        await logSignIn(services, request, interaction, {
          method: methodOf(session.amr),
          outcome: 'consentDeclined',
          identity: session.identity,
          correlationId: interaction.details.uid,
        });
        return finish(request, reply, interaction, declined);
      }
      const account = await accountInTenant(services, interaction.tenant.id, session.identity);
      if (account.kind === 'jit') {
        await assertRedeemableDomain(services, interaction.tenant, account.invitation.invited_email);
        await redeemInvitation(services, {
          invitation: account.invitation,
          guest: account.user,
          identity: session.identity,
          organizationName: interaction.tenant.display_name,
          ipAddress: request.ip,
          jit: true,
        });
      } else if (account.kind === 'user' && account.user.consented_at === null) {
        await recordConsent(services, account.user, request.ip);
      }
      return continueAs(request, reply, interaction, session);
    },
  );

  // Back from an identity provider (src/federation): the session it started, proven to be this interaction's.
  app.get(
    '/:tenantId/login/:uid/federated',
    { schema: { hide: true, params, querystring: z.object({ fresh: z.string().max(100).optional() }) } },
    async (request, reply) => {
      const interaction = await load(request, reply);
      const session = await currentSession(services, request);
      if (
        session?.identity.kind !== 'federated' ||
        !freshMatches(services, interaction.details.uid, session.authTime, request.query.fresh)
      )
        return signInPage(request, reply, interaction);
      return continueAs(request, reply, interaction, session);
    },
  );

  app.post('/:tenantId/login/:uid/mfa', { schema: { hide: true, body: mfaBody } }, async (request, reply) => {
    assertCsrf(services, request, request.body.csrf);
    const interaction = await load(request, reply);
    const proven = await provenSession(request, interaction, request.body.fresh);
    if (!proven) return signInPage(request, reply, interaction);
    const { session } = proven;
    const account = await accountInTenant(services, interaction.tenant.id, session.identity);
    // Anything but an enabled, current account goes back through continueAs, which says what is wrong.
    if (account.kind !== 'user' || account.user.account_enabled !== 1 || revokedFor(account.user, session))
      return continueAs(request, reply, interaction, session, !proven.proven);
    const input = mfaInput(interaction, session, account.user, !proven.proven);
    const result = await submitMfa(services, request, reply, input, request.body);
    if (result.kind === 'shown') return reply;
    return continueAs(request, reply, interaction, session, !proven.proven);
  });

  app.post(
    '/:tenantId/login/:uid/consent',
    { schema: { hide: true, body: decisionBody } },
    async (request, reply) => {
      assertCsrf(services, request, request.body.csrf);
      const interaction = await load(request, reply);
      const { details, provider } = interaction;
      if (details.prompt.name !== 'consent' || !details.session?.accountId)
        throw new FoyerError('interactionExpired', 'No consent is pending.');
      if (request.body.decision !== 'accept') return finish(request, reply, interaction, declined);
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({
          accountId: details.session.accountId,
          clientId: String(details.params.client_id),
        });
      const requested = String(details.params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      grant.addOIDCScope(requested.filter((scope) => OIDC_SCOPES.has(scope)).join(' '));
      const apiScopes = requested.filter((scope) => scope.startsWith(`${services.config.baseUrl}/`));
      if (apiScopes.length > 0) grant.addResourceScope(services.config.baseUrl, apiScopes.join(' '));
      return finish(request, reply, interaction, { consent: { grantId: await grant.save() } });
    },
  );

  app.post(
    '/:tenantId/login/:uid/switch',
    { schema: { hide: true, body: decisionBody } },
    async (request, reply) => {
      assertCsrf(services, request, request.body.csrf);
      const interaction = await load(request, reply);
      await endSession(services, request, reply);
      return signInPage(request, reply, interaction);
    },
  );

  app.post(
    '/:tenantId/login/:uid/:step',
    { schema: { hide: true, params: params.extend({ step: z.enum(SIGN_IN_STEPS) }), body: stepBody } },
    async (request, reply) => {
      assertCsrf(services, request, request.body.csrf);
      const interaction = await load(request, reply);
      return runStep(
        services,
        request,
        reply,
        flowOf(request, interaction),
        request.params.step,
        request.body,
      );
    },
  );
}
