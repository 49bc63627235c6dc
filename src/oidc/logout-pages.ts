import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Services } from '../app/services.js';
import { findTenantById } from '../tenants/store.js';
import { html, trusted } from '../web/html.js';
import { dictionaryOf, fill, pageLanguage } from '../web/i18n/index.js';
import { pageHeaders, renderPage } from '../web/layout.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) on the page kit: oidc-provider owns the protocol
 * and hands us its form (with its own CSRF field); we only dress it.
 */
export function logoutPages(services: Services, tenantId: string) {
  const frame = async (
    ctx: KoaContextWithOIDC,
    body: (organization: string, t: ReturnType<typeof dictionaryOf>) => ReturnType<typeof html>,
  ) => {
    const tenant = await findTenantById(services.db, tenantId);
    const accept = ctx.headers['accept-language'];
    const lang = pageLanguage({ acceptLanguage: typeof accept === 'string' ? accept : undefined });
    const t = dictionaryOf(lang);
    const organization = tenant?.display_name ?? t.brand;
    for (const [name, value] of Object.entries(pageHeaders)) ctx.set(name, value);
    ctx.body = renderPage({
      title: t.logoutTitle,
      lang,
      branding: { organizationName: organization, logoUrl: tenant?.logo_url ?? null },
      body: body(organization, t),
    });
  };
  return {
    logoutSource: (ctx: KoaContextWithOIDC, form: string) =>
      frame(
        ctx,
        (organization, t) => html`<h1>${fill(t.logoutHeading, { organization })}</h1>
${trusted(form)}
<div class="actions">
<button type="submit" form="op.logoutForm" name="logout" value="yes">${t.logoutButton}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t.stayButton}</button>
</div>`,
      ),
    postLogoutSuccessSource: (ctx: KoaContextWithOIDC) =>
      frame(
        ctx,
        (_organization, t) => html`<h1>${t.loggedOutHeading}</h1><p role="status">${t.loggedOutText}</p>`,
      ),
  };
}
