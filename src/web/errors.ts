import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { catalogue, type FoyerError } from '../errors/catalogue.js';
import { toFoyerError } from '../errors/mapper.js';
import { html } from './html.js';
import { dictionaryOf, fill, type PageDictionary, pageLanguage } from './i18n/index.js';
import { pageHeaders, renderPage } from './layout.js';

/**
 * The HTML branch of the error mapper (src/errors/mapper.ts): same catalogue, same status codes, but a person
 * reads a sentence in their language and a way forward — never JSON, never a stack trace.
 */
export function errorPage(error: FoyerError, request: FastifyRequest): string {
  const lang = pageLanguage({ acceptLanguage: request.headers['accept-language'] });
  const t = dictionaryOf(lang);
  const entry = catalogue[error.key] as { page?: keyof PageDictionary };
  const sentence = entry.page
    ? fill(t[entry.page], error.pageValues)
    : error.status === 404
      ? t.errorNotFound
      : fill(t.errorGeneric, { requestId: request.id });
  return renderPage({
    title: t.errorTitle,
    lang,
    body: html`<h1>${t.errorTitle}</h1>
<p role="alert">${sentence}</p>
<p class="note"><small>${error.code} · ${request.id}</small></p>`,
  });
}

export function sendErrorPage(reply: FastifyReply, request: FastifyRequest, error: FoyerError) {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).headers(pageHeaders).send(errorPage(error, request));
}

/** For a plugin serving pages: its errors (thrown anywhere below) become pages. */
export function registerPageErrors(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const error = toFoyerError(raw);
    if (error.status >= 500) request.log.error({ err: error.cause ?? raw }, 'page request failed');
    else request.log.info({ code: error.code, status: error.status }, error.message);
    return sendErrorPage(reply, request, error);
  });
}
