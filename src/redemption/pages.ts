import type { TenantRow } from '../tenants/store.js';
import { html, type SafeHtml } from '../web/html.js';
import { dictionaryOf, fill, type PageLanguage } from '../web/i18n/index.js';
import { renderPage } from '../web/layout.js';

/** The pages of a redemption (PRODUCT §4.3) and the "Review permissions" consent, shared with sign-in. */

interface Common {
  tenant: TenantRow;
  language: PageLanguage;
  csrf: string;
  hidden: Record<string, string>;
}

const branding = (tenant: TenantRow) => ({ organizationName: tenant.display_name, logoUrl: tenant.logo_url });

const hiddenFields = (common: Common, extra: Record<string, string> = {}): SafeHtml =>
  html`${Object.entries({ ...common.hidden, csrf: common.csrf, ...extra }).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`,
  )}`;

function organizationFacts(tenant: TenantRow, language: PageLanguage): SafeHtml {
  const t = dictionaryOf(language);
  const privacy =
    tenant.privacy_statement_url && /^https?:\/\//i.test(tenant.privacy_statement_url)
      ? html`<a href="${tenant.privacy_statement_url}" rel="noreferrer noopener">${fill(t.privacyLink, { organization: tenant.display_name })}</a>`
      : t.privacyNotProvided;
  return html`<dl>
<dt>${t.organizationLabel}</dt><dd>${tenant.display_name}</dd>
<dt>${t.domainLabel}</dt><dd>${tenant.default_domain}</dd>
<dt>${t.privacyLabel}</dt><dd>${privacy}</dd>
</dl>`;
}

export function landingPage(
  common: Common & { inviterName: string; email: string; signedInAs?: string },
): string {
  const t = dictionaryOf(common.language);
  const organization = common.tenant.display_name;
  const current = common.signedInAs;
  const mismatch = current && current.toLowerCase() !== common.email.toLowerCase();
  return renderPage({
    title: t.redeemTitle,
    lang: common.language,
    branding: branding(common.tenant),
    body: html`<h1>${t.redeemHeading}</h1>
<p>${fill(t.redeemIntro, { inviter: common.inviterName, email: common.email, organization })}</p>
${organizationFacts(common.tenant, common.language)}
<p class="note">${fill(t.trustWarning, { organization })}</p>
${mismatch ? html`<p role="status">${fill(t.wrongAccount, { invited: common.email, current })}</p>` : current ? html`<p>${fill(t.signedInAs, { email: current })}</p>` : ''}
<div class="actions">
<form method="post" action="/redeem/start">
${hiddenFields(common)}<button type="submit">${t.continueButton}</button>
</form>
${
  current
    ? html`<form method="post" action="/redeem/switch">
${hiddenFields(common)}<button type="submit" class="secondary">${t.useAnotherAccount}</button>
</form>`
    : ''
}
</div>`,
  });
}

export interface AppConsent {
  name: string;
  scopes: string[];
  apiPermissions: string[];
}

function appPermissions(app: AppConsent, tenant: TenantRow, language: PageLanguage): SafeHtml {
  const t = dictionaryOf(language);
  const lines: string[] = [];
  if (app.scopes.includes('openid')) lines.push(t.consentScopeOpenid);
  if (app.scopes.includes('profile')) lines.push(t.consentScopeProfile);
  if (app.scopes.includes('email')) lines.push(t.consentScopeEmail);
  if (app.apiPermissions.length > 0) {
    lines.push(
      fill(t.consentScopeApi, {
        organization: tenant.display_name,
        permissions: app.apiPermissions.join(', '),
      }),
    );
  }
  if (app.scopes.includes('offline_access')) lines.push(t.consentScopeOffline);
  return html`<h2>${fill(t.consentApp, { app: app.name })}</h2>
<ul class="permissions">${lines.map((line) => html`<li>${line}</li>`)}</ul>`;
}

/**
 * "Review permissions": the organization, its privacy statement (or "not provided"), what is shared; and, when
 * an application asks for consent, what it may do. Accept and Cancel are two buttons of one form.
 */
export function consentPage(
  common: Common & { action: string; guestConsent: boolean; app?: AppConsent },
): string {
  const t = dictionaryOf(common.language);
  const { tenant } = common;
  const organization = tenant.display_name;
  return renderPage({
    title: t.consentTitle,
    lang: common.language,
    branding: branding(tenant),
    body: html`<h1>${t.consentHeading}</h1>
${
  common.guestConsent
    ? html`<p>${fill(t.consentIntro, { organization, domain: tenant.default_domain })}</p>
<ul class="permissions"><li>${t.consentSignIn}</li><li>${t.consentProfile}</li></ul>
${organizationFacts(tenant, common.language)}`
    : ''
}
${common.app ? appPermissions(common.app, tenant, common.language) : ''}
<p class="note">${fill(t.consentNote, { organization })}</p>
<form method="post" action="${common.action}">
${hiddenFields(common)}<div class="actions">
<button type="submit" name="decision" value="accept">${t.acceptButton}</button>
<button type="submit" name="decision" value="cancel" class="secondary">${t.cancelButton}</button>
</div>
</form>`,
  });
}

export function messagePage(input: {
  tenant: TenantRow;
  language: PageLanguage;
  heading: string;
  text: string;
  link?: { href: string; label: string };
}): string {
  return renderPage({
    title: input.heading,
    lang: input.language,
    branding: branding(input.tenant),
    body: html`<h1>${input.heading}</h1>
<p role="status">${input.text}</p>
${input.link ? html`<p><a class="button" href="${input.link.href}">${input.link.label}</a></p>` : ''}`,
  });
}
