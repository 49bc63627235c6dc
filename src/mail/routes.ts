import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { isLoopbackRequest } from '../app/loopback.js';
import type { Services } from '../app/services.js';
import { mailboxListPage, mailboxMessagePage, notFoundPage } from './dev-mailbox-pages.js';
import { findOutboxMail, listOutbox } from './outbox-store.js';

const LIST_LIMIT = 200;

// The pages themselves: no scripts at all, the message's HTML only inside a same-origin frame.
const PAGE_CSP =
  "default-src 'none'; style-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
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
 * Whether the development mailbox exists: outside production, and only while no SMTP server is configured.
 * With SMTP the mail goes out for real (and its stored bodies are redacted); a mailbox would only leak.
 */
export function devMailboxEnabled(config: Pick<Services['config'], 'env' | 'smtpUrl'>): boolean {
  return config.env !== 'production' && !config.smtpUrl;
}

/**
 * The mail concept's HTTP surface: the development mailbox. It shows every tenant's mails with live links,
 * so it exists only when devMailboxEnabled, and answers only clients on this machine; everywhere else each
 * path is a 404, like any unknown route (not a 403: its existence is not advertised).
 */
export async function mailPlugin(fastify: FastifyInstance, { services }: { services: Services }) {
  if (!devMailboxEnabled(services.config)) return;
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const base = `${app.prefix}/dev/mailbox`;

  // Encapsulated: this hook runs for the mailbox routes only.
  app.addHook('onRequest', async (request, reply) => {
    if (!isLoopbackRequest(request)) return reply.callNotFound();
  });

  app.get('/dev/mailbox', { schema: { hide: true } }, async (_request, reply) => {
    const mails = await listOutbox(services.db, { limit: LIST_LIMIT });
    return sendHtml(reply, 200, mailboxListPage(mails, { base, limit: LIST_LIMIT }));
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
