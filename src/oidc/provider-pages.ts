import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Services } from '../app/services.js';
import { findTenantById } from '../tenants/store.js';
import { html, trusted } from '../web/html.js';
import { dictionaryOf, fill, pageLanguage } from '../web/i18n/index.js';
import { pageHeaders, renderPage } from '../web/layout.js';

/**
 * The pages oidc-provider renders itself, on the page kit: RP-initiated logout (OpenID Connect RP-Initiated
 * Logout 1.0: the provider owns the protocol and hands us its form, with its own CSRF field) and its error page
 * (an unregistered redirect URI, an unknown client: OAuth errors that cannot go back to the app).
 */
export function providerPages(services: Services, tenantId: string) {
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
    renderError: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) =>
      frame(
        ctx,
        (_organization, t) => html`<h1>${t.errorTitle}</h1>
<p role="alert">${out.error_description ?? out.error}</p>
<p class="note"><small>${out.error}</small></p>`,
      ),
  };
}
