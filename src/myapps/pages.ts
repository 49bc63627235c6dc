import { accountBar, brandingOf } from '../console/frame.js';
import type { PortalContext } from '../portal/context.js';
import { html, type SafeHtml } from '../web/html.js';
import { fill, portalDictionaryOf } from '../web/i18n/index.js';
import { renderPage } from '../web/layout.js';
import type { MyApp, MyOrganization } from './service.js';

export function myAppsFrame(ctx: PortalContext, title: string, body: SafeHtml): string {
  const t = portalDictionaryOf(ctx.lang);
  return renderPage({
    title: `${title} · ${t.myAppsTitle}`,
    lang: ctx.lang,
    wide: true,
    branding: brandingOf(ctx),
    body: html`${accountBar(ctx)}${body}`,
  });
}

export function myAppsHome(
  ctx: PortalContext,
  input: {
    apps: MyApp[];
    organizations: MyOrganization[];
    profile: { displayName: string; mail: string | null; userPrincipalName: string; userType: string };
    mayInvite: boolean;
    mayLeave: boolean;
    console: boolean;
    /** The person's MFA methods (src/myapps/mfa.ts). */
    mfa: SafeHtml;
    error?: string;
  },
): string {
  const t = portalDictionaryOf(ctx.lang);
  const organization = ctx.tenant.display_name;
  return myAppsFrame(
    ctx,
    t.myAppsTitle,
    html`<h1>${t.myAppsTitle}</h1>
${input.error ? html`<div class="error" role="alert"><p>${input.error}</p></div>` : ''}
<p>${fill(t.myAppsIntro, { organization })}</p>
${
  input.apps.length === 0
    ? html`<p>${t.noMyApps}</p>`
    : html`<ul class="cards">${input.apps.map((a) => html`<li><a href="${a.homePageUrl}" rel="noopener">${a.displayName}</a></li>`)}</ul>`
}
${input.mayInvite || input.console ? html`<p class="actions">${input.mayInvite ? html`<a class="button" href="${ctx.base}/invite">${t.inviteFromMyApps}</a>` : ''}${input.console ? html`<a class="button secondary" href="/${ctx.tenant.id}/admin">${t.consoleTitle}</a>` : ''}</p>` : ''}
<h2>${t.profileHeading}</h2>
<dl><dt>${t.colName}</dt><dd>${input.profile.displayName}</dd>
<dt>${t.colUpn}</dt><dd>${input.profile.userPrincipalName}</dd>
<dt>${t.fieldMail}</dt><dd>${input.profile.mail ?? '—'}</dd>
<dt>${t.fieldUserType}</dt><dd>${input.profile.userType}</dd></dl>
${input.mfa}
<h2>${t.organizationsHeading}</h2>
<ul>${input.organizations.map((o) =>
      o.current
        ? html`<li aria-current="true">${fill(t.currentOrganization, { organization: o.displayName })}</li>`
        : html`<li><a href="/${o.tenantId}/myapps">${fill(t.switchTo, { organization: o.displayName })}</a></li>`,
    )}</ul>
${
  input.mayLeave
    ? html`<h2>${fill(t.leaveHeading, { organization })}</h2>
<p>${fill(t.leaveText, { organization })}</p>
<form method="post" action="${ctx.base}/leave"><input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="_return" value="${ctx.base}">
<label class="check"><input type="checkbox" name="confirm" required> ${fill(t.leaveHeading, { organization })}</label>
<div class="actions"><button type="submit" class="secondary">${t.leaveButton}</button></div></form>`
    : ''
}`,
  );
}

export function leftPage(ctx: PortalContext): string {
  const t = portalDictionaryOf(ctx.lang);
  return myAppsFrame(
    ctx,
    t.leftTitle,
    html`<h1>${t.leftTitle}</h1><p role="status">${fill(t.leftText, { organization: ctx.tenant.display_name })}</p>`,
  );
}
