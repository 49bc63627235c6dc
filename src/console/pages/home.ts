import type { PortalContext } from '../../portal/context.js';
import { html } from '../../web/html.js';
import { fill, portalDictionaryOf } from '../../web/i18n/index.js';
import { consolePage } from '../frame.js';
import { mayOpen, sections } from '../sections.js';

export function homePage(ctx: PortalContext): string {
  const t = portalDictionaryOf(ctx.lang);
  const open = sections.filter((s) => mayOpen(ctx.principal, s));
  return consolePage(ctx, {
    title: t.navHome,
    section: 'home',
    body: html`<h1>${t.consoleTitle}</h1>
<p>${fill(t.homeIntro, { organization: ctx.tenant.display_name })}</p>
<p class="note">${fill(t.yourRoles, { roles: ctx.principal.directoryRoles.join(', ') })}</p>
<ul class="cards">${open.map((s) => html`<li><a href="${ctx.base}${s.path}">${t[s.label]}</a></li>`)}</ul>`,
  });
}
