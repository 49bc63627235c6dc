import type { TenantRow } from '../tenants/store.js';
import { html, type SafeHtml } from '../web/html.js';
import { dictionaryOf, fill, type PageLanguage } from '../web/i18n/index.js';
import { renderPage } from '../web/layout.js';

/**
 * The MFA pages: enrolment (QR code and key, then the first code), the recovery codes shown once, and the code
 * asked at later sign-ins. Server-rendered with the page kit: no script, no inline style (the QR code is an SVG
 * image in a data: URL, which the CSP's img-src allows), labelled fields, every form CSRF-protected.
 */
export interface MfaPageInput {
  tenant: TenantRow;
  language: PageLanguage;
  /** Where the forms post. */
  action: string;
  /** Hidden fields every form carries (the CSRF token, the redemption's ticket, the interaction's proof). */
  hidden: Record<string, string>;
  error?: string;
}

function hiddenFields(input: MfaPageInput, step: string): SafeHtml {
  const fields = { ...input.hidden, mfaStep: step };
  return html`${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}`;
}

const alert = (error?: string) =>
  error ? html`<p class="error" role="alert" id="form-error">${error}</p>` : '';
const described = (hint: string, error?: string) =>
  error
    ? html` aria-describedby="${hint} form-error" aria-invalid="true"`
    : html` aria-describedby="${hint}"`;

function frame(input: MfaPageInput, title: string, body: SafeHtml): string {
  return renderPage({
    title,
    lang: input.language,
    branding: { organizationName: input.tenant.display_name, logoUrl: input.tenant.logo_url },
    body,
  });
}

/** The base32 key in groups of four, as authenticator apps show keys typed by hand. */
const grouped = (base32: string) => base32.replace(/(.{4})(?=.)/g, '$1 ');

function codeField(input: MfaPageInput): SafeHtml {
  const t = dictionaryOf(input.language);
  const organization = input.tenant.display_name;
  return html`<label for="code">${t.mfaCodeLabel}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required autofocus${described('code-hint', input.error)}>
<p class="hint" id="code-hint">${fill(t.mfaCodeHint, { organization })}</p>`;
}

export function enrolPage(input: MfaPageInput & { qrCode: string; base32: string }): string {
  const t = dictionaryOf(input.language);
  const organization = input.tenant.display_name;
  return frame(
    input,
    t.mfaEnrolTitle,
    html`<h1>${t.mfaEnrolHeading}</h1>
<p>${fill(t.mfaEnrolIntro, { organization })}</p>
<p><img class="qr" src="${input.qrCode}" width="200" height="200" alt="${fill(t.mfaQrAlt, { organization })}"></p>
<dl><dt>${t.mfaSecretLabel}</dt><dd><code id="mfa-secret">${grouped(input.base32)}</code></dd></dl>
${alert(input.error)}
<form method="post" action="${input.action}">
${hiddenFields(input, 'enrol')}${codeField(input)}
<div class="actions"><button type="submit">${t.mfaConfirmButton}</button></div>
</form>`,
  );
}

export function recoveryCodesPage(input: MfaPageInput & { codes: string[] }): string {
  const t = dictionaryOf(input.language);
  return frame(
    input,
    t.mfaRecoveryTitle,
    html`<h1>${t.mfaRecoveryHeading}</h1>
<p>${t.mfaRecoveryIntro}</p>
<ul class="recovery-codes" aria-label="${t.mfaRecoveryListLabel}">
${input.codes.map((code) => html`<li><code>${code}</code></li>\n`)}</ul>
<form method="post" action="${input.action}">
${hiddenFields(input, 'continue')}<div class="actions"><button type="submit" autofocus>${t.continueButton}</button></div>
</form>`,
  );
}

export function verifyPage(input: MfaPageInput & { recoveryError?: string }): string {
  const t = dictionaryOf(input.language);
  const organization = input.tenant.display_name;
  const recoveryInvalid = input.recoveryError
    ? html` aria-describedby="recovery-error" aria-invalid="true"`
    : '';
  return frame(
    input,
    t.mfaVerifyTitle,
    html`<h1>${t.mfaVerifyHeading}</h1>
<p>${fill(t.mfaVerifyIntro, { organization })}</p>
${alert(input.error)}
<form method="post" action="${input.action}">
${hiddenFields(input, 'verify')}${codeField(input)}
<div class="actions"><button type="submit">${t.verifyButton}</button></div>
</form>
<h2>${t.mfaRecoveryCodeLabel}</h2>
<p>${t.mfaRecoveryOffer}</p>
${input.recoveryError ? html`<p class="error" role="alert" id="recovery-error">${input.recoveryError}</p>` : ''}
<form method="post" action="${input.action}">
${hiddenFields(input, 'recovery')}<label for="recovery-code">${t.mfaRecoveryCodeLabel}</label>
<input id="recovery-code" name="code" type="text" autocomplete="off" autocapitalize="characters" maxlength="20" required${recoveryInvalid}>
<div class="actions"><button type="submit" class="secondary">${t.mfaRecoveryButton}</button></div>
</form>`,
  );
}
