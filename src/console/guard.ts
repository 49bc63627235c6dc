import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { type PortalContext, portalContext } from '../portal/context.js';
import { html } from '../web/html.js';
import { fill, portalDictionaryOf } from '../web/i18n/index.js';
import { pageHeaders, renderPage } from '../web/layout.js';
import { brandingOf, consolePage } from './frame.js';
import { hasConsoleRole, mayOpen, sectionOf } from './sections.js';

export type ConsoleRequest = FastifyRequest<{
  Params: { tenant: string } & Record<string, string>;
  Querystring: Record<string, string | undefined>;
  Body: Record<string, string | undefined>;
}>;

export type ConsoleHandler = (
  ctx: PortalContext,
  request: ConsoleRequest,
  reply: FastifyReply,
) => Promise<unknown>;

/** A signed-in person without any directory role: a clear page, not a broken console. */
function noRolePage(ctx: PortalContext): string {
  const t = portalDictionaryOf(ctx.lang);
  return renderPage({
    title: t.forbiddenTitle,
    lang: ctx.lang,
    branding: brandingOf(ctx),
    body: html`<h1>${t.forbiddenTitle}</h1>
<p role="alert">${fill(t.forbiddenText, { organization: ctx.tenant.display_name })}</p>
<p><a class="button" href="/${ctx.tenant.id}/myapps">${t.openMyApps}</a></p>
<form method="post" action="/${ctx.tenant.id}/portal/logout"><input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit" class="secondary">${t.signOut}</button></form>`,
  });
}

/**
 * Every console route: signed in (else to the sign-in, a POST's fields kept), holding a directory role (else
 * the 403 page), and allowed to open the section (else a 403 inside the console).
 */
export function consoleRoute(services: Services, section: string | null, handler: ConsoleHandler) {
  return async (request: ConsoleRequest, reply: FastifyReply) => {
    const ctx = await portalContext(services, request, reply, 'admin');
    if (!ctx) return reply;
    reply.headers(pageHeaders);
    if (!hasConsoleRole(ctx.principal)) return reply.status(403).send(noRolePage(ctx));
    if (section && !mayOpen(ctx.principal, sectionOf(section))) {
      const t = portalDictionaryOf(ctx.lang);
      return reply.status(403).send(
        consolePage(ctx, {
          title: t.forbiddenTitle,
          body: html`<h1>${t.forbiddenTitle}</h1><p role="alert">${t.forbiddenSection}</p>`,
        }),
      );
    }
    return handler(ctx, request, reply);
  };
}
