import type { Services } from '../app/services.js';
import { can } from '../auth/guards.js';
import { listSoftwareOathMethods } from '../mfa/methods.js';
import type { PortalContext } from '../portal/context.js';
import { html } from '../web/html.js';
import { fill, portalDictionaryOf } from '../web/i18n/index.js';
import { formBasics } from './frame.js';

/**
 * The user page's MFA reset section: shown to someone allowed to delete authentication methods,
 * when the user has one. The reset is Graph's DELETE softwareOathMethods, through the same service (audited as
 * "Admin deleted security info"); the user enrols again at the next sign-in that needs MFA.
 */
export async function mfaResetSlot(services: Services, ctx: PortalContext, userId: string) {
  if (!can(ctx.principal, 'readAuthenticationMethods') || !can(ctx.principal, 'writeAuthenticationMethods')) {
    return '';
  }
  const { value } = await listSoftwareOathMethods(services, ctx.principal, userId);
  if (value.length === 0) return '';
  const t = portalDictionaryOf(ctx.lang);
  const self = `${ctx.base}/users/${userId}`;
  return html`<h2>${t.mfaResetSlot}</h2>
<p>${fill(t.mfaResetText, { count: String(value.length) })}</p>
<form method="post" action="${self}/mfa-reset">${formBasics(ctx, self)}
<label class="check"><input type="checkbox" name="confirm" required> ${t.mfaResetConfirm}</label>
<div class="actions"><button type="submit" class="secondary">${t.mfaResetButton}</button></div></form>`;
}
