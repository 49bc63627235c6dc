import type { FastifyRequest } from 'fastify';
import type { TenantRow } from '../tenants/store.js';
import { html } from '../web/html.js';
import { fill, pageLanguage, portalDictionaryOf } from '../web/i18n/index.js';
import { renderPage } from '../web/layout.js';

/** After signing out (or a sign-in that did not complete): where you are, and a way back in. */
export function signedOutPage(request: FastifyRequest, tenant: TenantRow, failed: boolean): string {
  const lang = pageLanguage({ acceptLanguage: request.headers['accept-language'] });
  const t = portalDictionaryOf(lang);
  return renderPage({
    title: t.signedOutTitle,
    lang,
    branding: { organizationName: tenant.display_name, logoUrl: tenant.logo_url },
    body: html`<h1>${failed ? t.signInFailed : t.signedOutTitle}</h1>
${failed ? '' : html`<p>${fill(t.signedOutText, { organization: tenant.display_name })}</p>`}
<p><a class="button" href="/${tenant.id}/myapps">${t.signInAgain}</a></p>`,
  });
}
