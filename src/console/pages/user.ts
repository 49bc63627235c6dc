import type { Services } from '../../app/services.js';
import { can } from '../../auth/guards.js';
import { parseQueryOptions } from '../../graph/odata/index.js';
import { groupEntity } from '../../groups/entity.js';
import { listGroupsFor } from '../../groups/service.js';
import { findInvitationOfUser } from '../../invitations/store.js';
import type { PortalContext } from '../../portal/context.js';
import { signInEntity } from '../../signins/entity.js';
import { listSignIns } from '../../signins/service.js';
import { listMemberOfFor, readUserFor } from '../../users/reads.js';
import { html, type SafeHtml } from '../../web/html.js';
import { fill, portalDictionaryOf } from '../../web/i18n/index.js';
import { consolePage, formBasics } from '../frame.js';
import { mfaResetSlot } from '../mfa-reset.js';
import { formError, signInsTable } from './tables.js';

const USER_PROPERTIES = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'userType',
  'externalUserState',
  'createdDateTime',
  'accountEnabled',
];

/** One user: facts, actions (each a POST the services authorize), groups and recent sign-ins. */
export async function userPage(
  services: Services,
  ctx: PortalContext,
  id: string,
  notice?: { done?: string; error?: string; restored?: Record<string, string> },
) {
  const t = portalDictionaryOf(ctx.lang);
  const { user } = await readUserFor(services, ctx.principal, id, USER_PROPERTIES);
  const userId = String(user.id);
  const [groups, signIns, invitation, mfaReset, joinable] = await Promise.all([
    listMemberOfFor(services, ctx.principal, userId, parseQueryOptions({ $top: '100' }, groupEntity)),
    can(ctx.principal, 'readAuditLogs')
      ? listSignIns(
          services,
          ctx.principal,
          parseQueryOptions(
            { $filter: `userId eq ${userId}`, $top: '10', $orderby: 'createdDateTime desc' },
            signInEntity,
          ),
        )
      : undefined,
    findInvitationOfUser(services.db, ctx.tenant.id, userId),
    mfaResetSlot(services, ctx, userId),
    // The groups offered by "Add to group": only for a role that may change memberships.
    can(ctx.principal, 'writeGroupMembers') && can(ctx.principal, 'readGroups')
      ? listGroupsFor(
          services,
          ctx.principal,
          parseQueryOptions({ $top: '100', $orderby: 'displayName' }, groupEntity),
        )
      : undefined,
  ]);
  const memberOf = new Set(groups.items.map((g) => String(g.id)));
  const offered = (joinable?.items ?? []).filter((g) => !memberOf.has(String(g.id)));
  const self = `${ctx.base}/users/${userId}`;
  const action = (path: string, label: string, extra: SafeHtml | '' = '') =>
    html`<form method="post" action="${self}/${path}">${formBasics(ctx, self)}${extra}<button type="submit" class="secondary">${label}</button></form>`;
  const yesNo = (value: unknown) => (value ? t.yes : t.no);
  return consolePage(ctx, {
    title: String(user.displayName ?? t.userTitle),
    section: 'users',
    body: html`<h1>${String(user.displayName ?? '')}</h1>
${notice?.done ? html`<p class="notice" role="status">${fill(t.actionDone, { action: notice.done })}</p>` : ''}
${notice?.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${formError(t, notice?.error)}
<dl>
<dt>${t.colUpn}</dt><dd>${String(user.userPrincipalName ?? '')}</dd>
<dt>${t.fieldMail}</dt><dd>${String(user.mail ?? '')}</dd>
<dt>${t.fieldUserType}</dt><dd>${String(user.userType ?? '')}</dd>
<dt>${t.fieldState}</dt><dd>${String(user.externalUserState ?? '—')}</dd>
<dt>${t.fieldCreated}</dt><dd>${String(user.createdDateTime ?? '')}</dd>
<dt>${t.fieldEnabled}</dt><dd>${yesNo(user.accountEnabled)}</dd>
</dl>
<h2>${t.actionsHeading}</h2>
${invitation && invitation.status === 'PendingAcceptance' ? action('resend', t.resendButton) : ''}
${
  invitation
    ? action(
        'reset',
        t.resetButton,
        html`<label for="newEmail">${t.resetEmailLabel}</label><input type="email" id="newEmail" name="newEmail" autocomplete="off" value="${notice?.restored?.newEmail ?? ''}">`,
      )
    : ''
}
${action('revoke', t.revokeButton)}
${action(
  'delete',
  t.deleteButton,
  html`<label for="confirm">${t.deleteConfirm}</label><input type="text" id="confirm" name="confirm" required autocomplete="off">`,
)}
${mfaReset}
<h2>${t.groupsHeading}</h2>
${
  groups.items.length === 0
    ? html`<p>${t.noGroups}</p>`
    : html`<ul>${groups.items.map((g) => html`<li><a href="${ctx.base}/groups/${g.id}">${g.displayName}</a></li>`)}</ul>`
}
${
  offered.length > 0
    ? action(
        'groups',
        t.addToGroupButton,
        html`<label for="group">${t.addToGroupLabel}</label><select id="group" name="group">${offered.map(
          (g) => html`<option value="${String(g.id)}">${String(g.displayName ?? '')}</option>`,
        )}</select>`,
      )
    : ''
}
${signIns ? html`<h2>${t.signInsHeading}</h2>${signInsTable(t, t.signInsHeading, signIns.items)}` : ''}`,
  });
}
