import type { Services } from '../../app/services.js';
import { parseQueryOptions } from '../../graph/odata/index.js';
import type { PortalContext } from '../../portal/context.js';
import { userEntity } from '../../users/entity.js';
import { listUsersFor } from '../../users/reads.js';
import { html } from '../../web/html.js';
import { portalDictionaryOf } from '../../web/i18n/index.js';
import { consolePage } from '../frame.js';

/** The filters of the users list, as OData filters of the same collection the Graph API pages through. */
const filters = {
  all: undefined,
  members: "userType eq 'Member'",
  guests: "userType eq 'Guest'",
  pending: "externalUserState eq 'PendingAcceptance'",
  accepted: "externalUserState eq 'Accepted'",
} as const;
type FilterKey = keyof typeof filters;

const PAGE_SIZE = 50;

export interface UsersQuery {
  show?: string | undefined;
  q?: string | undefined;
  after?: string | undefined;
}

/**
 * One page of users through listUsersFor (the Graph code: the caller's view, keyset paging by $skiptoken), so
 * page N costs what page 1 costs with 100,000 users. The search looks in names and addresses.
 */
export async function usersListPage(services: Services, ctx: PortalContext, query: UsersQuery) {
  const t = portalDictionaryOf(ctx.lang);
  const show: FilterKey = query.show && query.show in filters ? (query.show as FilterKey) : 'all';
  const term = (query.q ?? '').replace(/["\\]/g, '').trim().slice(0, 100);
  const odata: Record<string, string> = {
    $top: String(PAGE_SIZE),
    $orderby: 'displayName',
    $select: 'id,displayName,userPrincipalName,mail,userType,externalUserState',
  };
  const filter = filters[show];
  if (filter) odata.$filter = filter;
  if (term)
    odata.$search = ['displayName', 'mail', 'userPrincipalName'].map((p) => `"${p}:${term}"`).join(' OR ');
  if (query.after) odata.$skiptoken = query.after;
  const page = await listUsersFor(services, ctx.principal, parseQueryOptions(odata, userEntity));
  const next = page.nextSkipToken
    ? `${ctx.base}/users?${new URLSearchParams({ show, q: term, after: page.nextSkipToken })}`
    : null;
  const option = (key: FilterKey, label: string) =>
    html`<option value="${key}"${show === key ? html` selected` : ''}>${label}</option>`;
  return consolePage(ctx, {
    title: t.usersTitle,
    section: 'users',
    body: html`<h1>${t.usersTitle}</h1>
<form method="get" action="${ctx.base}/users" class="filters" role="search">
<div><label for="show">${t.filterLabel}</label><select id="show" name="show">
${option('all', t.filterAll)}${option('members', t.filterMembers)}${option('guests', t.filterGuests)}${option('pending', t.filterPending)}${option('accepted', t.filterAccepted)}
</select></div>
<div><label for="q">${t.searchLabel}</label><input type="search" id="q" name="q" value="${term}"></div>
<div><button type="submit">${t.searchButton}</button></div>
</form>
${
  page.items.length === 0
    ? html`<p>${t.noUsers}</p>`
    : html`<div class="scroll" tabindex="0"><table>
<caption>${t.usersTitle}</caption>
<thead><tr><th scope="col">${t.colName}</th><th scope="col">${t.colUpn}</th><th scope="col">${t.fieldMail}</th><th scope="col">${t.colType}</th><th scope="col">${t.colState}</th></tr></thead>
<tbody>${page.items.map(
        (
          user,
        ) => html`<tr><td><a href="${ctx.base}/users/${String(user.id)}">${String(user.displayName ?? '')}</a></td>
<td>${String(user.userPrincipalName ?? '')}</td><td>${String(user.mail ?? '')}</td><td>${String(user.userType ?? '')}</td><td>${String(user.externalUserState ?? '')}</td></tr>`,
      )}</tbody></table></div>`
}
<p class="pager">${query.after ? html`<a href="${ctx.base}/users?${new URLSearchParams({ show, q: term })}">${t.firstPage}</a>` : ''}
${next ? html`<a href="${next}" rel="next">${t.nextPage}</a>` : ''}</p>`,
  });
}
