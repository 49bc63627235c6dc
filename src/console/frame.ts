import type { PortalContext } from '../portal/context.js';
import { html, type SafeHtml } from '../web/html.js';
import { fill, portalDictionaryOf } from '../web/i18n/index.js';
import { renderPage } from '../web/layout.js';
import { mayOpen, sections } from './sections.js';

/** Branding of every console and My Apps page: the organisation's name and logo. */
export const brandingOf = (ctx: Pick<PortalContext, 'tenant'>) => ({
  organizationName: ctx.tenant.display_name,
  logoUrl: ctx.tenant.logo_url,
});

/** The signed-in bar: who, and a sign-out form (a POST with the CSRF token). */
export function accountBar(ctx: PortalContext): SafeHtml {
  const t = portalDictionaryOf(ctx.lang);
  return html`<div class="account"><span>${fill(t.signedInAs, { name: ctx.principal.displayName ?? '' })}</span>
<form method="post" action="/${ctx.tenant.id}/portal/logout"><input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit" class="link">${t.signOut}</button></form></div>`;
}

/** A console page: the layout, the sections this person may open, the content. */
export function consolePage(
  ctx: PortalContext,
  input: { title: string; body: SafeHtml; section?: string; scripts?: string[]; refreshSeconds?: number },
): string {
  const t = portalDictionaryOf(ctx.lang);
  const items = sections.filter((section) => mayOpen(ctx.principal, section));
  const link = (key: string, path: string, label: string) =>
    html`<li><a href="${ctx.base}${path}"${input.section === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return renderPage({
    title: `${input.title} · ${t.consoleTitle}`,
    lang: ctx.lang,
    wide: true,
    branding: brandingOf(ctx),
    ...(input.scripts && { scripts: input.scripts }),
    ...(input.refreshSeconds && { refreshSeconds: input.refreshSeconds }),
    body: html`${accountBar(ctx)}
<nav aria-label="${t.navLabel}" class="sections"><ul>
${link('home', '', t.navHome)}${items.map((s) => link(s.key, s.path, t[s.label]))}
</ul></nav>
${input.body}`,
  });
}

/** Hidden fields every console form carries: the CSRF token and the page to come back to. */
export const formBasics = (ctx: PortalContext, returnPath: string) =>
  html`<input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="_return" value="${returnPath}">`;
