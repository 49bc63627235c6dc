import type { Services } from '../../app/services.js';
import { directoryAuditEntity } from '../../audit/entity.js';
import { listDirectoryAudits } from '../../audit/routes.js';
import { parseQueryOptions } from '../../graph/odata/index.js';
import type { PortalContext } from '../../portal/context.js';
import { signInEntity } from '../../signins/entity.js';
import { listSignIns } from '../../signins/service.js';
import { html, type SafeHtml } from '../../web/html.js';
import { type PortalDictionary, portalDictionaryOf } from '../../web/i18n/index.js';
import { consolePage } from '../frame.js';
import { signInsTable } from './tables.js';

export type LogQuery = Record<string, string | undefined>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PAGE_SIZE = 50;
/** Filter text goes into an OData literal: quotes doubled, length capped; the OData parser does the rest. */
const literal = (value: string) => value.trim().slice(0, 200).replace(/'/g, "''");

/** The date range as OData comparisons (the "to" day is included whole); a malformed date is ignored. */
function range(property: string, query: LogQuery): string[] {
  const parts: string[] = [];
  if (query.from && DAY.test(query.from)) parts.push(`${property} ge ${query.from}T00:00:00Z`);
  if (query.to && DAY.test(query.to)) parts.push(`${property} lt ${query.to}T23:59:59.999Z`);
  return parts;
}

function filterForm(
  ctx: PortalContext,
  t: PortalDictionary,
  path: string,
  query: LogQuery,
  fields: SafeHtml,
) {
  const date = (name: 'from' | 'to', label: string) =>
    html`<div><label for="${name}">${label}</label><input type="date" id="${name}" name="${name}" value="${query[name] && DAY.test(query[name]) ? query[name] : ''}"></div>`;
  return html`<form method="get" action="${ctx.base}${path}" class="filters">
${date('from', t.fromLabel)}${date('to', t.toLabel)}${fields}
<div><button type="submit">${t.applyFilters}</button></div></form>`;
}

const pager = (ctx: PortalContext, t: PortalDictionary, path: string, query: LogQuery, next?: string) => {
  if (!next) return '';
  const params = new URLSearchParams(
    Object.entries({ ...query, after: next }).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return html`<p class="pager"><a rel="next" href="${ctx.base}${path}?${params}">${t.nextPage}</a></p>`;
};

const statusSelect = (t: PortalDictionary, value: string | undefined) => {
  const option = (v: string, label: string) =>
    html`<option value="${v}"${value === v ? html` selected` : ''}>${label}</option>`;
  return html`<div><label for="status">${t.statusLabel}</label><select id="status" name="status">
${option('', t.statusAny)}${option('success', t.statusSuccess)}${option('failure', t.statusFailure)}</select></div>`;
};

/** The audit log: newest first, filtered by dates, activity and result, through the Graph listing. */
export async function auditPage(services: Services, ctx: PortalContext, query: LogQuery) {
  const t = portalDictionaryOf(ctx.lang);
  const filters = range('activityDateTime', query);
  if (query.status === 'success' || query.status === 'failure') filters.push(`result eq '${query.status}'`);
  const activity = (query.activity ?? '').replace(/["\\]/g, '').trim().slice(0, 100);
  const page = await listDirectoryAudits(
    services,
    ctx.principal,
    parseQueryOptions(
      {
        $top: String(PAGE_SIZE),
        ...(filters.length > 0 && { $filter: filters.join(' and ') }),
        ...(activity && { $search: `"activityDisplayName:${activity}"` }),
        ...(query.after && { $skiptoken: query.after }),
      },
      directoryAuditEntity,
    ),
  );
  const who = (actor: unknown) => {
    const a = actor as { user?: { userPrincipalName?: string }; app?: { displayName?: string } } | null;
    return a?.user?.userPrincipalName ?? a?.app?.displayName ?? '';
  };
  return consolePage(ctx, {
    title: t.auditTitle,
    section: 'audit',
    body: html`<h1>${t.auditTitle}</h1>
${filterForm(ctx, t, '/audit', query, html`<div><label for="activity">${t.activityLabel}</label><input type="text" id="activity" name="activity" value="${activity}"></div>${statusSelect(t, query.status)}`)}
${
  page.items.length === 0
    ? html`<p>${t.noEntries}</p>`
    : html`<div class="scroll" tabindex="0"><table><caption>${t.auditTitle}</caption>
<thead><tr><th scope="col">${t.colDate}</th><th scope="col">${t.colActivity}</th><th scope="col">${t.colActor}</th><th scope="col">${t.colTarget}</th><th scope="col">${t.colResult}</th></tr></thead>
<tbody>${page.items.map(
        (
          e,
        ) => html`<tr><td>${e.activityDateTime}</td><td>${e.activityDisplayName}</td><td>${who(e.initiatedBy)}</td>
<td>${(e.targetResources as Array<{ displayName?: string; userPrincipalName?: string }>).map((r) => r.userPrincipalName ?? r.displayName ?? '').join(', ')}</td><td>${e.result}</td></tr>`,
      )}</tbody></table></div>`
}
${pager(ctx, t, '/audit', query, page.nextSkipToken)}`,
  });
}

/** The sign-in log: dates, user principal name and result, through the Graph listing. */
export async function signInsPage(services: Services, ctx: PortalContext, query: LogQuery) {
  const t = portalDictionaryOf(ctx.lang);
  const filters = range('createdDateTime', query);
  if (query.user?.trim()) filters.push(`userPrincipalName eq '${literal(query.user)}'`);
  if (query.status === 'success') filters.push('status/errorCode eq 0');
  if (query.status === 'failure') filters.push('status/errorCode ne 0');
  const page = await listSignIns(
    services,
    ctx.principal,
    parseQueryOptions(
      {
        $top: String(PAGE_SIZE),
        ...(filters.length > 0 && { $filter: filters.join(' and ') }),
        ...(query.after && { $skiptoken: query.after }),
      },
      signInEntity,
    ),
  );
  return consolePage(ctx, {
    title: t.signInsTitle,
    section: 'signins',
    body: html`<h1>${t.signInsTitle}</h1>
${filterForm(ctx, t, '/sign-ins', query, html`<div><label for="user">${t.userLabel}</label><input type="text" id="user" name="user" value="${query.user ?? ''}"></div>${statusSelect(t, query.status)}`)}
${signInsTable(t, t.signInsTitle, page.items)}
${pager(ctx, t, '/sign-ins', query, page.nextSkipToken)}`,
  });
}
