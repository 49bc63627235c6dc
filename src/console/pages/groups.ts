import type { Services } from '../../app/services.js';
import { parseQueryOptions } from '../../graph/odata/index.js';
import { groupEntity } from '../../groups/entity.js';
import { listGroupMembersFor, listGroupsFor, readGroupFor } from '../../groups/service.js';
import type { PortalContext } from '../../portal/context.js';
import { userEntity } from '../../users/entity.js';
import { html } from '../../web/html.js';
import { portalDictionaryOf } from '../../web/i18n/index.js';
import { field } from '../form-errors.js';
import { consolePage, formBasics } from '../frame.js';
import { formError } from './tables.js';

const PAGE_SIZE = 100;

/** Groups, keyset-paged like users, and the form that creates one. */
export async function groupsPage(
  services: Services,
  ctx: PortalContext,
  input: { after?: string | undefined; values?: Record<string, unknown>; error?: string; restored?: boolean },
) {
  const t = portalDictionaryOf(ctx.lang);
  const page = await listGroupsFor(
    services,
    ctx.principal,
    parseQueryOptions(
      { $top: String(PAGE_SIZE), $orderby: 'displayName', ...(input.after && { $skiptoken: input.after }) },
      groupEntity,
    ),
  );
  const self = `${ctx.base}/groups`;
  return consolePage(ctx, {
    title: t.groupsTitle,
    section: 'groups',
    body: html`<h1>${t.groupsTitle}</h1>
${
  page.items.length === 0
    ? ''
    : html`<ul>${page.items.map((g) => html`<li><a href="${self}/${g.id}">${g.displayName}</a>${g.description ? html` &mdash; ${g.description}` : ''}</li>`)}</ul>`
}
${page.nextSkipToken ? html`<p class="pager"><a rel="next" href="${self}?after=${encodeURIComponent(page.nextSkipToken)}">${t.nextPage}</a></p>` : ''}
<h2>${t.createGroup}</h2>
${input.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${formError(t, input.error)}
<form method="post" action="${self}">${formBasics(ctx, self)}
<label for="displayName">${t.groupName}</label><input type="text" id="displayName" name="displayName" required value="${field(input.values, 'displayName')}">
<label for="description">${t.groupDescription}</label><input type="text" id="description" name="description" value="${field(input.values, 'description')}">
<div class="actions"><button type="submit">${t.createGroup}</button></div>
</form>`,
  });
}

/** One group: its members (removable) and a form to add one. */
export async function groupPage(
  services: Services,
  ctx: PortalContext,
  id: string,
  notice?: { error?: string },
) {
  const t = portalDictionaryOf(ctx.lang);
  const group = await readGroupFor(services, ctx.principal, id);
  const members = await listGroupMembersFor(
    services,
    ctx.principal,
    group.id,
    parseQueryOptions({ $top: '200', $select: 'id,displayName,userPrincipalName' }, userEntity),
    ['id', 'displayName', 'userPrincipalName'],
  );
  const self = `${ctx.base}/groups/${group.id}`;
  return consolePage(ctx, {
    title: group.displayName,
    section: 'groups',
    body: html`<h1>${group.displayName}</h1>
${group.description ? html`<p>${group.description}</p>` : ''}
${formError(t, notice?.error)}
<h2>${t.membersHeading}</h2>
${
  members.items.length === 0
    ? html`<p>${t.noMembers}</p>`
    : html`<div class="scroll" tabindex="0"><table><caption>${t.membersHeading}</caption>
<thead><tr><th scope="col">${t.colName}</th><th scope="col">${t.colUpn}</th><th scope="col"><span class="note">${t.actionsHeading}</span></th></tr></thead>
<tbody>${members.items.map(
        (m) => html`<tr><td>${String(m.displayName ?? '')}</td><td>${String(m.userPrincipalName ?? '')}</td>
<td><form method="post" action="${self}/remove">${formBasics(ctx, self)}<input type="hidden" name="member" value="${String(m.id)}">
<button type="submit" class="secondary" aria-label="${t.removeButton} ${String(m.displayName ?? '')}">${t.removeButton}</button></form></td></tr>`,
      )}</tbody></table></div>`
}
<form method="post" action="${self}/add">${formBasics(ctx, self)}
<label for="member">${t.addMember}</label><input type="text" id="member" name="member" required>
<div class="actions"><button type="submit">${t.addButton}</button></div>
</form>`,
  });
}
