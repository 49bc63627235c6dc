import type { PortalContext } from '../../portal/context.js';
import { html } from '../../web/html.js';
import { portalDictionaryOf } from '../../web/i18n/index.js';
import { consolePage, formBasics } from '../frame.js';
import { formError } from './tables.js';

/** Logo upload (multipart; the CSRF token rides as a field before the file) and the privacy statement URL. */
export function brandingPage(ctx: PortalContext, notice: { saved?: boolean; error?: string } = {}) {
  const t = portalDictionaryOf(ctx.lang);
  const self = `${ctx.base}/branding`;
  return consolePage(ctx, {
    title: t.brandingTitle,
    section: 'branding',
    body: html`<h1>${t.brandingTitle}</h1>
${notice.saved ? html`<p class="notice" role="status">${t.saved}</p>` : ''}
${formError(t, notice.error)}
<h2>${t.logoCurrent}</h2>
${ctx.tenant.logo_url ? html`<p><img src="/${ctx.tenant.id}/branding/logo" alt="${t.logoCurrent}" class="logo-preview"></p>` : html`<p>${t.noLogo}</p>`}
<form method="post" action="${self}/logo" enctype="multipart/form-data">${formBasics(ctx, self)}
<label for="logo">${t.logoLabel}</label><input type="file" id="logo" name="logo" accept="image/png,image/jpeg,image/webp" required>
<div class="actions"><button type="submit">${t.uploadButton}</button></div></form>
${ctx.tenant.logo_url ? html`<form method="post" action="${self}/logo/remove">${formBasics(ctx, self)}<button type="submit" class="secondary">${t.removeLogo}</button></form>` : ''}
<form method="post" action="${self}/privacy">${formBasics(ctx, self)}
<label for="privacy">${t.privacyUrl}</label><input type="url" id="privacy" name="privacy" value="${ctx.tenant.privacy_statement_url ?? ''}">
<div class="actions"><button type="submit">${t.saveButton}</button></div></form>`,
  });
}
