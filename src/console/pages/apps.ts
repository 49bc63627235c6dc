import type { Services } from '../../app/services.js';
import { applicationEntity } from '../../applications/entity.js';
import { listApplications, readApplication } from '../../applications/service.js';
import { allPermissions } from '../../auth/permissions.js';
import { parseQueryOptions } from '../../graph/odata/index.js';
import type { PortalContext } from '../../portal/context.js';
import { html } from '../../web/html.js';
import { portalDictionaryOf } from '../../web/i18n/index.js';
import { field } from '../form-errors.js';
import { consolePage, formBasics } from '../frame.js';
import { formError } from './tables.js';

/** Applications of the tenant, and the registration form (name, redirect URIs, home page). */
export async function appsPage(
  services: Services,
  ctx: PortalContext,
  input: { values?: Record<string, unknown>; error?: string; restored?: boolean } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const page = await listApplications(
    services,
    ctx.principal,
    parseQueryOptions({ $top: '200' }, applicationEntity),
  );
  const self = `${ctx.base}/apps`;
  return consolePage(ctx, {
    title: t.appsTitle,
    section: 'apps',
    body: html`<h1>${t.appsTitle}</h1>
${
  page.items.length === 0
    ? html`<p>${t.noApps}</p>`
    : html`<ul>${page.items.map((a) => html`<li><a href="${self}/${String(a.id)}">${String(a.displayName)}</a></li>`)}</ul>`
}
<h2>${t.registerApp}</h2>
${input.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${formError(t, input.error)}
<form method="post" action="${self}">${formBasics(ctx, self)}
<label for="displayName">${t.appName}</label><input type="text" id="displayName" name="displayName" required value="${field(input.values, 'displayName')}">
<label for="redirectUris">${t.appRedirects}</label><textarea id="redirectUris" name="redirectUris" rows="3">${field(input.values, 'redirectUris')}</textarea>
<label for="homePageUrl">${t.appHomePage}</label><input type="url" id="homePageUrl" name="homePageUrl" value="${field(input.values, 'homePageUrl')}">
<div class="actions"><button type="submit">${t.registerApp}</button></div></form>`,
  });
}

/** One application: its ids and redirect URIs, a new secret (shown once, on this answer only), permissions. */
export async function appPage(
  services: Services,
  ctx: PortalContext,
  id: string,
  notice: { secret?: string; error?: string; saved?: boolean } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const app = (await readApplication(services, ctx.principal, id)) as {
    id: string;
    appId: string;
    displayName: string;
    web: { redirectUris: string[]; homePageUrl: string | null };
    grantedPermissions: string[];
  };
  const self = `${ctx.base}/apps/${app.id}`;
  return consolePage(ctx, {
    title: app.displayName,
    section: 'apps',
    body: html`<h1>${app.displayName}</h1>
${notice.saved ? html`<p class="notice" role="status">${t.saved}</p>` : ''}
${formError(t, notice.error)}
<dl><dt>${t.appClientId}</dt><dd>${app.appId}</dd>
<dt>${t.appRedirects}</dt><dd>${app.web.redirectUris.join(', ')}</dd>
<dt>${t.appHomePage}</dt><dd>${app.web.homePageUrl ?? '—'}</dd></dl>
${
  notice.secret
    ? html`<div class="notice" role="status"><p>${t.secretShownOnce}</p><p class="secret">${notice.secret}</p></div>`
    : html`<form method="post" action="${self}/secret">${formBasics(ctx, self)}<button type="submit">${t.newSecret}</button></form>`
}
<h2>${t.permissionsHeading}</h2>
<form method="post" action="${self}/permissions">${formBasics(ctx, self)}
<fieldset><legend>${t.permissionsHeading}</legend>${allPermissions.map(
      (p) =>
        html`<label class="check"><input type="checkbox" name="permissions" value="${p}"${app.grantedPermissions.includes(p) ? html` checked disabled` : ''}> ${p}</label>`,
    )}</fieldset>
<div class="actions"><button type="submit">${t.grantButton}</button></div></form>`,
  });
}
