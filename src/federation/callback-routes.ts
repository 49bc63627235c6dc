import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { freshProof } from '../oidc/interactions/fresh.js';
import { openTicket } from '../redemption/tickets.js';
import { type HomeIdentity, sameEmail } from '../sessions/identity.js';
import { PASSWORD_SESSION_SECONDS, startSession } from '../sessions/service.js';
import { logSignIn } from '../signin/log.js';
import { findTenantById, type TenantRow } from '../tenants/store.js';
import { cookieOptions } from '../web/cookies.js';
import { registerPageErrors } from '../web/errors.js';
import { limitSignIns } from '../web/limits.js';
import { FEDERATION_COOKIE, federatedIdentity } from './flow.js';
import { consumeState, type PendingFederation } from './states.js';
import { findProvider, type IdentityProviderRow } from './store.js';

const callbackQuery = z.looseObject({ state: z.string().max(200).optional() });

/**
 * `{base}/federation/callback`: the one redirect URI every provider sends the browser back to (the resource's
 * `callbackUrl`). The state names the pending request; a redemption goes on to "Review permissions" only with an
 * identity that proves the invited address, a sign-in goes back into its OIDC interaction.
 */
export async function federationPlugin(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  registerPageErrors(app);
  app.addHook('preHandler', async (request, reply) => {
    if (await limitSignIns(services, request, reply)) return reply;
  });
  const basePath = new URL(services.config.baseUrl).pathname.replace(/\/+$/, '');
  const stateInvalid = () =>
    new FoyerError('federationStateInvalid', 'The federation state is unknown, expired or used.');

  app.get(
    '/federation/callback',
    { schema: { hide: true, querystring: callbackQuery } },
    async (request, reply) => {
      const state = request.query.state;
      const cookie = request.cookies[FEDERATION_COOKIE];
      reply.clearCookie(FEDERATION_COOKIE, cookieOptions(services.config));
      if (!state || cookie !== state) throw stateInvalid();
      const pending = await consumeState(services, state);
      if (!pending) throw stateInvalid();
      const [tenant, provider] = await Promise.all([
        findTenantById(services.db, pending.tenantId),
        findProvider(services.db, pending.tenantId, pending.providerId),
      ]);
      if (!tenant || !provider) throw stateInvalid();
      const identity = await federatedIdentity(services, request, {
        tenant,
        provider: provider.row,
        pending,
        state,
      }).catch(async (error: unknown) => {
        // A redemption's failure is logged against the invited guest, so administrators see whose sign-in failed.
        const open =
          pending.context.purpose === 'redeem'
            ? await openTicket(services, pending.context.ticket).catch(() => undefined)
            : undefined;
        await logSignIn(
          services,
          request,
          { tenant },
          {
            method: 'federated',
            outcome: 'federationFailed',
            ...(open && { user: open.guest, correlationId: open.invitation.id }),
          },
        );
        throw error;
      });
      return pending.context.purpose === 'redeem'
        ? redeemWith(request, reply, tenant, provider.row, pending.context.ticket, identity)
        : signInWith(request, reply, tenant, pending, identity);
    },
  );

  /** Redemption: the provider must vouch for the invited address; otherwise nothing changes. */
  async function redeemWith(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRow,
    provider: IdentityProviderRow,
    ticket: string,
    identity: Extract<HomeIdentity, { kind: 'federated' }>,
  ) {
    const open = await openTicket(services, ticket);
    const back = `${basePath}/redeem?ticket=${encodeURIComponent(ticket)}`;
    if (open.redeemed) return reply.redirect(back, 303);
    const invited = open.invitation.invited_email;
    const refuse = async (key: 'federationEmailUnverified' | 'federationEmailMismatch') => {
      await logSignIn(
        services,
        request,
        { tenant },
        {
          method: 'federated',
          outcome: 'federationFailed',
          user: open.guest,
          identity,
          correlationId: open.invitation.id,
        },
      );
      return new FoyerError(key, 'The identity provider did not prove the invited address.', {
        pageValues: { provider: provider.display_name, email: identity.email, invited },
      });
    };
    if (!identity.emailVerified) throw await refuse('federationEmailUnverified');
    if (!sameEmail(identity.email, invited)) throw await refuse('federationEmailMismatch');
    await startSession(services, request, reply, {
      identity,
      amr: ['fed'],
      lifetimeSeconds: PASSWORD_SESSION_SECONDS,
    });
    return reply.redirect(`${basePath}/redeem/review?ticket=${encodeURIComponent(ticket)}`, 303);
  }

  /** Sign-in: back into the interaction, with proof that this browser has just signed in. */
  async function signInWith(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRow,
    pending: PendingFederation,
    identity: HomeIdentity,
  ) {
    if (pending.context.purpose !== 'signin') throw stateInvalid();
    const { uid } = pending.context;
    const session = await startSession(services, request, reply, {
      identity,
      amr: ['fed'],
      lifetimeSeconds: PASSWORD_SESSION_SECONDS,
    });
    const fresh = freshProof(services, uid, session.authTime);
    return reply.redirect(
      `${basePath}/${tenant.id}/login/${encodeURIComponent(uid)}/federated?fresh=${encodeURIComponent(fresh)}`,
      303,
    );
  }
}
