import type { Services } from '../app/services.js';
import { myMfaMethod } from '../mfa/self-service.js';
import type { PortalContext } from '../portal/context.js';
import { html, type SafeHtml } from '../web/html.js';
import { dictionaryOf, fill, portalDictionaryOf } from '../web/i18n/index.js';
import { myAppsFrame } from './pages.js';

/**
 * The profile's MFA methods (a section of the My Apps home) and the pages of its actions: enrolment with a QR code
 * rendered on the server (an SVG in a data: URL, which the CSP's img-src allows) and the key as text, the
 * first code, removal behind a confirmation, new recovery codes shown once.
 */
const hidden = (ctx: PortalContext) =>
  html`<input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="_return" value="${ctx.base}">`;

const dateOf = (iso: string | null) => (iso ? iso.slice(0, 10) : '');

/** The current code, asked before an active method is changed (src/mfa/self-service.ts). */
const codeField = (id: string, label: string) =>
  html`<label for="${id}">${label}</label>
<input id="${id}" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required>`;

export async function myMfaSlot(services: Services, ctx: PortalContext): Promise<SafeHtml> {
  const t = portalDictionaryOf(ctx.lang);
  const method = await myMfaMethod(services, ctx.principal);
  const page = dictionaryOf(ctx.lang);
  const organization = ctx.tenant.display_name;
  const enrol = html`<form method="post" action="${ctx.base}/mfa/enrol">${hidden(ctx)}
<div class="actions"><button type="submit">${t.myMfaEnrolButton}</button></div></form>`;
  if (method?.status !== 'active') {
    return html`<h2>${t.myMfaHeading}</h2><p>${method ? t.myMfaPending : t.myMfaNone}</p>${enrol}`;
  }
  return html`<h2>${t.myMfaHeading}</h2>
<ul><li>${fill(t.myMfaActive, { date: dateOf(method.activatedAt) })}</li></ul>
<form method="post" action="${ctx.base}/mfa/recovery-codes">${hidden(ctx)}
<p>${t.myMfaRecoveryNote}</p>
${codeField('recovery-code-check', page.mfaCodeLabel)}
<div class="actions"><button type="submit" class="secondary">${t.myMfaRecoveryButton}</button></div></form>
<form method="post" action="${ctx.base}/mfa/remove">${hidden(ctx)}
${codeField('remove-code', page.mfaCodeLabel)}
<label class="check"><input type="checkbox" name="confirm" required> ${fill(t.myMfaRemoveConfirm, { organization })}</label>
<div class="actions"><button type="submit" class="secondary">${t.myMfaRemoveButton}</button></div></form>`;
}

export function myEnrolPage(ctx: PortalContext, input: { qrCode: string; base32: string; error?: string }) {
  const t = portalDictionaryOf(ctx.lang);
  const page = dictionaryOf(ctx.lang);
  const organization = ctx.tenant.display_name;
  const invalid = input.error ? html` aria-describedby="form-error" aria-invalid="true"` : '';
  return myAppsFrame(
    ctx,
    page.mfaEnrolTitle,
    html`<h1>${page.mfaEnrolHeading}</h1>
<p>${t.myMfaEnrolIntro}</p>
<p><img class="qr" src="${input.qrCode}" width="200" height="200" alt="${fill(page.mfaQrAlt, { organization })}"></p>
<dl><dt>${page.mfaSecretLabel}</dt><dd><code id="mfa-secret">${input.base32.replace(/(.{4})(?=.)/g, '$1 ')}</code></dd></dl>
${input.error ? html`<p class="error" role="alert" id="form-error">${input.error}</p>` : ''}
<form method="post" action="${ctx.base}/mfa/confirm">${hidden(ctx)}
<label for="code">${page.mfaCodeLabel}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required${invalid}>
<div class="actions"><button type="submit">${page.mfaConfirmButton}</button></div></form>
<p><a href="${ctx.base}">${t.myAppsTitle}</a></p>`,
  );
}

export function myRecoveryCodesPage(ctx: PortalContext, codes: string[]) {
  const t = portalDictionaryOf(ctx.lang);
  const page = dictionaryOf(ctx.lang);
  return myAppsFrame(
    ctx,
    page.mfaRecoveryTitle,
    html`<h1>${page.mfaRecoveryHeading}</h1>
<p role="status">${t.myMfaRecoveryShown}</p>
<ul class="recovery-codes" aria-label="${page.mfaRecoveryListLabel}">
${codes.map((code) => html`<li><code>${code}</code></li>\n`)}</ul>
<p><a class="button" href="${ctx.base}">${page.continueButton}</a></p>`,
  );
}

export function myMfaRemovedPage(ctx: PortalContext) {
  const t = portalDictionaryOf(ctx.lang);
  return myAppsFrame(
    ctx,
    t.myMfaHeading,
    html`<h1>${t.myMfaHeading}</h1><p role="status">${t.myMfaRemoved}</p>
<p><a class="button" href="${ctx.base}">${t.myAppsTitle}</a></p>`,
  );
}
