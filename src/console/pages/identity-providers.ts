import type { Services } from '../../app/services.js';
import { callbackUrlOf } from '../../federation/provider-client.js';
import type { ProviderResource } from '../../federation/schemas.js';
import { DEFAULT_CLAIMS, DEFAULT_SCOPE, SOCIAL_TYPE } from '../../federation/schemas.js';
import { listIdentityProviders, readIdentityProvider } from '../../federation/service.js';
import type { PortalContext } from '../../portal/context.js';
import { html, type SafeHtml } from '../../web/html.js';
import { type PortalDictionary, portalDictionaryOf } from '../../web/i18n/index.js';
import { field } from '../form-errors.js';
import { consolePage, formBasics } from '../frame.js';
import { formError } from './tables.js';

type Values = Record<string, unknown>;

/** A labelled input whose id is unique on the page (both add forms share field names, not ids). */
function textField(
  prefix: string,
  name: string,
  label: string,
  value: string,
  attributes: SafeHtml | '' = '',
): SafeHtml {
  const id = `${prefix}-${name}`;
  return html`<label for="${id}">${label}</label><input id="${id}" name="${name}" value="${value}"${attributes}>`;
}

/** The client secret is write-only: the field never holds a value, whatever was typed or stored. */
const secretField = (prefix: string, label: string, required: boolean) =>
  textField(
    prefix,
    'clientSecret',
    label,
    '',
    html` type="password" autocomplete="new-password"${required ? html` required` : ''}`,
  );

/** The OpenID Connect fields Graph's openIdConnectIdentityProvider takes, plus Foyer's domains. */
function oidcFields(t: PortalDictionary, prefix: string, v: Values, editing: boolean): SafeHtml {
  return html`${textField(prefix, 'displayName', t.idpName, field(v, 'displayName'), html` type="text" required maxlength="256"`)}
${textField(prefix, 'clientId', t.idpClientId, field(v, 'clientId'), html` type="text" required autocomplete="off"`)}
${secretField(prefix, editing ? t.idpClientSecretKeep : t.idpClientSecret, !editing)}
${textField(prefix, 'metadataUrl', t.idpMetadataUrl, field(v, 'metadataUrl'), html` type="url" required`)}
${textField(prefix, 'scope', t.idpScope, field(v, 'scope') || DEFAULT_SCOPE, html` type="text"`)}
<label for="${prefix}-responseType">${t.idpResponseType}</label><select id="${prefix}-responseType" name="responseType"><option value="code" selected>code</option></select>
${textField(prefix, 'claimUserId', t.idpClaimUserId, field(v, 'claimUserId') || DEFAULT_CLAIMS.userId, html` type="text"`)}
${textField(prefix, 'claimEmail', t.idpClaimEmail, field(v, 'claimEmail') || DEFAULT_CLAIMS.email, html` type="text"`)}
${textField(prefix, 'claimDisplayName', t.idpClaimName, field(v, 'claimDisplayName') || DEFAULT_CLAIMS.displayName, html` type="text"`)}
<label for="${prefix}-domains">${t.idpDomains}</label><textarea id="${prefix}-domains" name="domains" rows="3">${field(v, 'domains')}</textarea>`;
}

function googleFields(t: PortalDictionary, prefix: string, v: Values, editing: boolean): SafeHtml {
  return html`${textField(prefix, 'displayName', t.idpName, field(v, 'displayName') || 'Google', html` type="text" required maxlength="256"`)}
${textField(prefix, 'clientId', t.idpClientId, field(v, 'clientId'), html` type="text" required autocomplete="off"`)}
${secretField(prefix, editing ? t.idpClientSecretKeep : t.idpClientSecret, !editing)}`;
}

const callbackBlock = (t: PortalDictionary, url: string) =>
  html`<dl><dt>${t.idpCallback}</dt><dd><code class="callback">${url}</code></dd></dl>`;

/** The providers, the callback URL to register, and the two add forms (OIDC, Google). */
export async function identityProvidersPage(
  services: Services,
  ctx: PortalContext,
  input: { values?: Values; error?: string; restored?: boolean; deleted?: boolean } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const providers = await listIdentityProviders(services, ctx.principal);
  const self = `${ctx.base}/identity-providers`;
  const kind = field(input.values, 'kind');
  const valuesFor = (k: string) => (kind === k ? (input.values ?? {}) : {});
  const notices = (k: string) =>
    kind === k
      ? html`${input.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}${formError(t, input.error)}`
      : '';
  return consolePage(ctx, {
    title: t.idpsTitle,
    section: 'idps',
    body: html`<h1>${t.idpsTitle}</h1>
${input.deleted ? html`<p class="notice" role="status">${t.idpDeleted}</p>` : ''}
<p>${t.idpsIntro}</p>
${callbackBlock(t, callbackUrlOf(services.config.baseUrl))}
${
  providers.length === 0
    ? html`<p>${t.noIdps}</p>`
    : html`<div class="scroll" tabindex="0"><table><caption>${t.idpsTitle}</caption>
<thead><tr><th scope="col">${t.idpName}</th><th scope="col">${t.idpColType}</th><th scope="col">${t.idpClientId}</th><th scope="col">${t.idpColDomains}</th></tr></thead>
<tbody>${providers.map(
        (p) => html`<tr><td><a href="${self}/${p.id}">${p.displayName}</a></td>
<td>${p['@odata.type'] === SOCIAL_TYPE ? t.idpTypeGoogle : t.idpTypeOidc}</td><td>${p.clientId}</td><td>${(p.domains ?? []).join(', ')}</td></tr>`,
      )}</tbody></table></div>`
}
<h2 id="add-oidc">${t.addOidcHeading}</h2>
${notices('oidc')}
<form method="post" action="${self}" aria-labelledby="add-oidc">${formBasics(ctx, self)}<input type="hidden" name="kind" value="oidc">
${oidcFields(t, 'oidc', valuesFor('oidc'), false)}
<div class="actions"><button type="submit">${t.addIdpButton}</button></div></form>
<h2 id="add-google">${t.addGoogleHeading}</h2>
${notices('google')}
<form method="post" action="${self}" aria-labelledby="add-google">${formBasics(ctx, self)}<input type="hidden" name="kind" value="google">
${googleFields(t, 'google', valuesFor('google'), false)}
<div class="actions"><button type="submit">${t.addGoogleHeading}</button></div></form>`,
  });
}

/** The stored provider as the edit form's values (never the secret). */
const valuesOf = (p: ProviderResource): Values => ({
  displayName: p.displayName,
  clientId: p.clientId,
  metadataUrl: p.metadataUrl ?? '',
  scope: p.scope ?? '',
  claimUserId: p.claimsMapping?.userId ?? '',
  claimEmail: p.claimsMapping?.email ?? '',
  claimDisplayName: p.claimsMapping?.displayName ?? '',
  domains: (p.domains ?? []).join('\n'),
});

/** One provider: its issuer facts, the callback URL, the edit form and deletion behind a confirmation. */
export async function identityProviderPage(
  services: Services,
  ctx: PortalContext,
  id: string,
  input: { values?: Values; error?: string; saved?: boolean; restored?: boolean } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const provider = await readIdentityProvider(services, ctx.principal, id);
  const google = provider['@odata.type'] === SOCIAL_TYPE;
  const self = `${ctx.base}/identity-providers/${provider.id}`;
  const values = input.values ?? valuesOf(provider);
  return consolePage(ctx, {
    title: provider.displayName,
    section: 'idps',
    body: html`<h1>${provider.displayName}</h1>
${input.saved ? html`<p class="notice" role="status">${t.saved}</p>` : ''}
${input.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${formError(t, input.error)}
<dl><dt>${t.idpColType}</dt><dd>${google ? t.idpTypeGoogle : t.idpTypeOidc}</dd>
<dt>${t.idpCallback}</dt><dd><code class="callback">${provider.callbackUrl}</code></dd></dl>
<h2 id="edit">${t.editIdpHeading}</h2>
<form method="post" action="${self}" aria-labelledby="edit">${formBasics(ctx, self)}
${google ? googleFields(t, 'edit', values, true) : oidcFields(t, 'edit', values, true)}
<div class="actions"><button type="submit">${t.saveButton}</button></div></form>
<h2>${t.deleteIdpHeading}</h2>
<form method="post" action="${self}/delete">${formBasics(ctx, self)}
<label class="check"><input type="checkbox" name="confirm" required> ${t.deleteIdpConfirm}</label>
<div class="actions"><button type="submit" class="secondary">${t.deleteIdpButton}</button></div></form>`,
  });
}
