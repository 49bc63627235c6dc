import type { SignInResource } from '../../signins/schemas.js';
import { html } from '../../web/html.js';
import type { PortalDictionary } from '../../web/i18n/index.js';

/** Sign-in log rows, shared by the user page and the sign-in log. */
export function signInsTable(t: PortalDictionary, caption: string, items: SignInResource[]) {
  if (items.length === 0) return html`<p>${t.noSignIns}</p>`;
  return html`<div class="scroll" tabindex="0"><table><caption>${caption}</caption>
<thead><tr><th scope="col">${t.colDate}</th><th scope="col">${t.colUpn}</th><th scope="col">${t.colApp}</th><th scope="col">${t.colResult}</th><th scope="col">${t.colIp}</th></tr></thead>
<tbody>${items.map(
    (
      s,
    ) => html`<tr><td>${s.createdDateTime}</td><td>${s.userPrincipalName ?? ''}</td><td>${s.appDisplayName ?? ''}</td>
<td>${s.status.errorCode === 0 ? t.statusSuccess : `${t.statusFailure} (${s.status.errorCode}) ${s.status.failureReason ?? ''}`}</td><td>${s.ipAddress}</td></tr>`,
  )}</tbody></table></div>`;
}

/** A form's error, announced: the service's own message (it names the field), in a live region. */
export const formError = (t: PortalDictionary, message: string | undefined) =>
  message ? html`<div class="error" role="alert"><p>${t.errorSummary} ${message}</p></div>` : '';
