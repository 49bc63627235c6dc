import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { csrfToken } from '../web/csrf.js';
import { registerPageErrors } from '../web/errors.js';
import { html } from '../web/html.js';
import { dictionaryOf, fill, pageLanguage } from '../web/i18n/index.js';
import { renderPage } from '../web/layout.js';
import { limitSignIns } from '../web/limits.js';
import type { SignInFlow } from './flow.js';
import { emailPage } from './pages.js';
import { runStep, SIGN_IN_STEPS, sendPage, stepBody } from './steps.js';

/**
 * `/signup`: a personal account (PRODUCT §1), owned by no tenant: the address, a code mailed to it, a name and a
 * password; the same steps as the other flows, with no organization and no app behind them.
 */
export async function signupPlugin(root: FastifyInstance, { services }: { services: Services }) {
  await root.register(formbody);
  const app = root.withTypeProvider<ZodTypeProvider>();
  registerPageErrors(app);
  app.addHook('preHandler', async (request, reply) => {
    if (await limitSignIns(services, request, reply)) return reply;
  });
  const base = `${new URL(services.config.baseUrl).pathname.replace(/\/+$/, '')}/signup`;

  function flowOf(request: FastifyRequest): SignInFlow {
    const language = pageLanguage({ acceptLanguage: request.headers['accept-language'] });
    return {
      base,
      hidden: {},
      tenant: null,
      language,
      allowSignUp: true,
      passcodeOffered: async () => false,
      passcodeAllowed: async () => false,
      complete: async (session, reply: FastifyReply) => {
        const t = dictionaryOf(language);
        return sendPage(
          reply,
          renderPage({
            title: t.signupDoneHeading,
            lang: language,
            body: html`<h1>${t.signupDoneHeading}</h1>
<p role="status">${fill(t.signupDoneText, { email: session.identity.email })}</p>`,
          }),
        );
      },
    };
  }

  app.get('/signup', { schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, emailPage({ flow: flowOf(request), csrf: csrfToken(services, request, reply) })),
  );

  app.post(
    '/signup/:step',
    { schema: { hide: true, params: z.object({ step: z.enum(SIGN_IN_STEPS) }), body: stepBody } },
    async (request, reply) =>
      runStep(services, request, reply, flowOf(request), request.params.step, request.body),
  );
}
