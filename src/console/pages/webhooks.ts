import type { Services } from '../../app/services.js';
import type { PortalContext } from '../../portal/context.js';
import { html } from '../../web/html.js';
import { portalDictionaryOf } from '../../web/i18n/index.js';
import { allWebhookEvents } from '../../webhooks/events.js';
import { getWebhookEndpoint, listWebhookEndpoints, webhookDeliveries } from '../../webhooks/service.js';
import { field, fieldList } from '../form-errors.js';
import { consolePage, formBasics } from '../frame.js';
import { formError } from './tables.js';

/** What the endpoint forms hold: as typed (after a refusal or a stashed session) or as stored. */
interface EndpointValues {
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
}

const valuesOfForm = (body: Record<string, unknown>): EndpointValues => ({
  url: field(body, 'url'),
  events: fieldList(body, 'events'),
  description: field(body, 'description'),
  enabled: field(body, 'enabled') === 'on',
});

/** URL, events (checkboxes in a fieldset), description and, when editing, enabled. */
function endpointFields(ctx: PortalContext, values: EndpointValues, editing: boolean) {
  const t = portalDictionaryOf(ctx.lang);
  return html`<label for="url">${t.webhookUrl}</label><input type="url" id="url" name="url" required value="${values.url}">
<fieldset><legend>${t.webhookEvents}</legend>${allWebhookEvents.map(
    (event) =>
      html`<label class="check"><input type="checkbox" name="events" value="${event}"${values.events.includes(event) ? html` checked` : ''}> <code>${event}</code></label>`,
  )}</fieldset>
<label for="description">${t.webhookDescription}</label><input type="text" id="description" name="description" maxlength="256" value="${values.description}">
${editing ? html`<label class="check"><input type="checkbox" name="enabled"${values.enabled ? html` checked` : ''}> ${t.webhookEnabled}</label>` : ''}`;
}

/** The endpoints of the tenant, and the registration form; right after a registration, its secret (once). */
export async function webhooksPage(
  services: Services,
  ctx: PortalContext,
  input: {
    values?: Record<string, unknown>;
    error?: string;
    restored?: boolean;
    created?: { id: string; url: string; secret: string };
    deleted?: boolean;
  } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const { value: endpoints } = await listWebhookEndpoints(services, ctx.principal);
  const self = `${ctx.base}/webhooks`;
  const values = input.values
    ? valuesOfForm(input.values)
    : { url: '', events: [], description: '', enabled: true };
  return consolePage(ctx, {
    title: t.webhooksTitle,
    section: 'webhooks',
    body: html`<h1>${t.webhooksTitle}</h1>
<p>${t.webhooksIntro}</p>
${input.deleted ? html`<p class="notice" role="status">${t.webhookDeleted}</p>` : ''}
${
  input.created
    ? html`<div class="notice" role="status"><p>${t.webhookSecretShownOnce}</p>
<p><a href="${self}/${input.created.id}">${input.created.url}</a></p><p class="secret">${input.created.secret}</p></div>`
    : ''
}
${
  endpoints.length === 0
    ? html`<p>${t.noWebhooks}</p>`
    : html`<div class="scroll" tabindex="0"><table><caption>${t.webhooksTitle}</caption>
<thead><tr><th scope="col">${t.webhookUrl}</th><th scope="col">${t.webhookEvents}</th><th scope="col">${t.webhookColEnabled}</th></tr></thead>
<tbody>${endpoints.map(
        (
          e,
        ) => html`<tr><td><a href="${self}/${e.id}">${e.url}</a>${e.description ? html`<br>${e.description}` : ''}</td>
<td>${e.events.join(', ')}</td><td>${e.enabled ? t.yes : t.no}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>${t.registerWebhookHeading}</h2>
${input.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${formError(t, input.error)}
<form method="post" action="${self}">${formBasics(ctx, self)}
${endpointFields(ctx, values, false)}
<div class="actions"><button type="submit">${t.registerWebhook}</button></div></form>`,
  });
}

/** One endpoint: the edit form, its delivery log (newest first), and deletion behind a confirmation. */
export async function webhookPage(
  services: Services,
  ctx: PortalContext,
  id: string,
  input: { values?: Record<string, unknown>; error?: string; saved?: boolean; restored?: boolean } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const endpoint = await getWebhookEndpoint(services, ctx.principal, id);
  const { value: deliveries } = await webhookDeliveries(services, ctx.principal, endpoint.id, 100);
  const self = `${ctx.base}/webhooks/${endpoint.id}`;
  const values = input.values
    ? valuesOfForm(input.values)
    : {
        url: endpoint.url,
        events: endpoint.events,
        description: endpoint.description ?? '',
        enabled: endpoint.enabled,
      };
  return consolePage(ctx, {
    title: endpoint.url,
    section: 'webhooks',
    body: html`<h1>${endpoint.url}</h1>
${input.saved ? html`<p class="notice" role="status">${t.saved}</p>` : ''}
${input.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${formError(t, input.error)}
<h2 id="deliveries">${t.deliveriesHeading}</h2>
${
  deliveries.length === 0
    ? html`<p>${t.noDeliveries}</p>`
    : html`<div class="scroll" tabindex="0" aria-labelledby="deliveries"><table aria-labelledby="deliveries">
<thead><tr><th scope="col">${t.colDate}</th><th scope="col">${t.colEvent}</th><th scope="col">${t.colEventId}</th><th scope="col">${t.colStatus}</th>
<th scope="col">${t.colAttempts}</th><th scope="col">${t.colLastCode}</th><th scope="col">${t.colNextRetry}</th></tr></thead>
<tbody>${deliveries.map(
        (
          d,
        ) => html`<tr><td>${d.createdDateTime}</td><td><code>${d.eventType}</code></td><td><code>${d.eventId}</code></td>
<td>${d.status}${d.lastError ? html`<br>${d.lastError}` : ''}</td><td>${d.attempts}</td>
<td>${d.lastStatusCode ?? '—'}</td><td>${d.nextAttemptDateTime ?? '—'}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>${t.editWebhookHeading}</h2>
<form method="post" action="${self}">${formBasics(ctx, self)}
${endpointFields(ctx, values, true)}
<div class="actions"><button type="submit">${t.saveButton}</button></div></form>
<h2>${t.deleteWebhookHeading}</h2>
<form method="post" action="${self}/delete">${formBasics(ctx, self)}
<label class="check"><input type="checkbox" name="confirm" required> ${t.deleteWebhookConfirm}</label>
<div class="actions"><button type="submit" class="secondary">${t.deleteWebhookButton}</button></div></form>`,
  });
}
