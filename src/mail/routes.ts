import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../app/services.js';
import { mailboxListPage, mailboxMessagePage, notFoundPage } from './dev-mailbox-pages.js';
import { findOutboxMail, listOutbox } from './outbox-store.js';

const LIST_LIMIT = 200;

// The pages themselves: no scripts at all, the message's HTML only inside a same-origin frame.
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// A message's HTML part: inert. `sandbox` gives it an opaque origin and no scripts, even when opened directly.
const MESSAGE_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

function sendHtml(reply: FastifyReply, status: number, html: string, csp = PAGE_CSP) {
  return (
    reply
      .status(status)
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      // Mails carry redeem tickets: never leak them in a Referer, never keep them in a cache.
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html)
  );
}

const params = z.object({ id: z.string().min(1).max(100) });

/**
 * The mail concept's HTTP surface: the development mailbox, which does not exist at all in production
 * (every path is a 404 there, like any unknown route).
 */
export async function mailPlugin(fastify: FastifyInstance, { services }: { services: Services }) {
  if (services.config.env === 'production') return;
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const base = `${app.prefix}/dev/mailbox`;

  app.get('/dev/mailbox', { schema: { hide: true } }, async (_request, reply) => {
    const mails = await listOutbox(services.db, { limit: LIST_LIMIT });
    return sendHtml(
      reply,
      200,
      mailboxListPage(mails, { base, smtpConfigured: Boolean(services.config.smtpUrl), limit: LIST_LIMIT }),
    );
  });

  app.get('/dev/mailbox/:id', { schema: { hide: true, params } }, async (request, reply) => {
    const mail = await findOutboxMail(services.db, request.params.id);
    if (!mail) return sendHtml(reply, 404, notFoundPage({ base }));
    return sendHtml(reply, 200, mailboxMessagePage(mail, { base }));
  });

  app.get('/dev/mailbox/:id/html', { schema: { hide: true, params } }, async (request, reply) => {
    const mail = await findOutboxMail(services.db, request.params.id);
    if (!mail) return sendHtml(reply, 404, notFoundPage({ base }));
    return sendHtml(reply, 200, mail.html, MESSAGE_HTML_CSP);
  });
}
