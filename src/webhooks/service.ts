import { randomBytes } from 'node:crypto';
import type { Services } from '../app/services.js';
import type { Target } from '../audit/events.js';
import { publish } from '../audit/publish.js';
import { authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import { odataContext } from '../graph/response.js';
import { encryptPrivateKey } from '../oidc/key-encryption.js';
import { assertPublicHost } from './address-guard.js';
import type { EndpointBody, EndpointPatchBody } from './schemas.js';
import {
  type AttemptRow,
  type DeliveryRow,
  deleteEndpoint,
  deliveriesOf,
  type EndpointRow,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  updateEndpoint,
} from './store.js';
import { secretContext } from './worker.js';

const toResource = (row: EndpointRow) => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: JSON.parse(row.events) as string[],
  enabled: row.enabled === 1,
  createdDateTime: row.created_at,
});

/** Where a tenant's guest events go is security-relevant: each change to an endpoint is in the audit log. */
const endpointTarget = (row: EndpointRow, modified?: Target['modifiedProperties']): Target => ({
  id: row.id,
  type: 'Other',
  displayName: row.url,
  ...(modified && { modifiedProperties: modified }),
});

/**
 * HTTPS only in production, and never a private or loopback address there (SSRF): Foyer would otherwise post
 * into its own network. Outside production http and loopback are allowed, so tests run a local receiver.
 */
async function checkedUrl(services: Services, raw: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FoyerError('invalidValue', `url: '${raw}' is not an absolute URL.`);
  }
  const production = services.config.env === 'production';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !production)) {
    throw new FoyerError('invalidValue', 'url: webhook endpoints must use https.');
  }
  if (url.username || url.password) {
    throw new FoyerError(
      'invalidValue',
      'url: credentials in the URL are not allowed; verify the signature instead.',
    );
  }
  if (url.hash) throw new FoyerError('invalidValue', 'url: a fragment is not allowed.');
  if (production) await assertPublicHost(url.hostname);
  return url.toString();
}

/** Registers an endpoint; its signing secret is in this answer only (it is stored encrypted, never shown again). */
export async function createEndpoint(
  services: Services,
  principal: Principal,
  body: EndpointBody,
  correlationId = services.ids.uuid(),
) {
  authorize(principal, 'manageWebhooks');
  const row: EndpointRow = {
    tenant_id: principal.tenantId,
    id: services.ids.uuid(),
    url: await checkedUrl(services, body.url),
    description: body.description ?? null,
    events: JSON.stringify(body.events),
    secret_encrypted: '',
    created_at: services.clock.now().toISOString(),
    enabled: body.enabled === false ? 0 : 1,
  };
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  row.secret_encrypted = encryptPrivateKey(
    services.config.secret,
    secretContext(row.tenant_id, row.id),
    secret,
  );
  await services.db.transaction().execute(async (trx) => {
    await insertEndpoint(trx, row);
    await publish(trx, services, {
      type: 'webhook.created',
      tenantId: row.tenant_id,
      actor: actorOf(principal),
      targets: [endpointTarget(row)],
      details: { events: JSON.parse(row.events).join(' ') },
      correlationId,
    });
  });
  return {
    '@odata.context': odataContext(services.config.baseUrl, 'webhooks', undefined, true),
    ...toResource(row),
    secret,
  };
}

export async function listWebhookEndpoints(services: Services, principal: Principal) {
  authorize(principal, 'manageWebhooks');
  const rows = await listEndpoints(services.db, principal.tenantId);
  return { '@odata.context': odataContext(services.config.baseUrl, 'webhooks'), value: rows.map(toResource) };
}

async function requireEndpoint(services: Services, principal: Principal, id: string) {
  authorize(principal, 'manageWebhooks');
  const row = await findEndpoint(services.db, principal.tenantId, id);
  if (!row) throw new FoyerError('notFound', `Webhook endpoint '${id}' does not exist.`);
  return row;
}

export async function getWebhookEndpoint(services: Services, principal: Principal, id: string) {
  const row = await requireEndpoint(services, principal, id);
  return {
    '@odata.context': odataContext(services.config.baseUrl, 'webhooks', undefined, true),
    ...toResource(row),
  };
}

/** Changes the URL (checked as at registration), the events, the description or whether it is enabled. */
export async function patchWebhookEndpoint(
  services: Services,
  principal: Principal,
  id: string,
  body: EndpointPatchBody,
  correlationId = services.ids.uuid(),
) {
  const before = await requireEndpoint(services, principal, id);
  const changes = {
    ...(body.url !== undefined && { url: await checkedUrl(services, body.url) }),
    ...(body.events !== undefined && { events: JSON.stringify(body.events) }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.enabled !== undefined && { enabled: body.enabled ? 1 : 0 }),
  };
  const modified = Object.entries(changes).map(([key, value]) => ({
    displayName: key,
    oldValue: JSON.stringify(before[key as keyof typeof changes]),
    newValue: JSON.stringify(value),
  }));
  const row = await services.db.transaction().execute(async (trx) => {
    const updated = await updateEndpoint(trx, principal.tenantId, id, changes);
    if (!updated) throw new FoyerError('notFound', `Webhook endpoint '${id}' does not exist.`);
    await publish(trx, services, {
      type: 'webhook.updated',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [endpointTarget(updated, modified)],
      correlationId,
    });
    return updated;
  });
  return {
    '@odata.context': odataContext(services.config.baseUrl, 'webhooks', undefined, true),
    ...toResource(row),
  };
}

export async function removeWebhookEndpoint(
  services: Services,
  principal: Principal,
  id: string,
  correlationId = services.ids.uuid(),
) {
  const row = await requireEndpoint(services, principal, id);
  await services.db.transaction().execute(async (trx) => {
    // Two deletes at once: one deletes and is audited, the other is a 404.
    if (!(await deleteEndpoint(trx, principal.tenantId, id))) {
      throw new FoyerError('notFound', `Webhook endpoint '${id}' does not exist.`);
    }
    await publish(trx, services, {
      type: 'webhook.deleted',
      tenantId: principal.tenantId,
      actor: actorOf(principal),
      targets: [endpointTarget(row)],
      correlationId,
    });
  });
}

const deliveryResource = ({ delivery, attempts }: { delivery: DeliveryRow; attempts: AttemptRow[] }) => ({
  id: delivery.id,
  eventId: delivery.event_id,
  eventType: delivery.event_type,
  status: delivery.status,
  attempts: delivery.attempts,
  createdDateTime: delivery.created_at,
  deliveredDateTime: delivery.delivered_at,
  nextAttemptDateTime: delivery.status === 'pending' ? delivery.next_attempt_at : null,
  lastStatusCode: delivery.last_status_code,
  lastError: delivery.last_error,
  attemptLog: attempts.map((a) => ({
    attempt: a.attempt,
    attemptedDateTime: a.attempted_at,
    statusCode: a.status_code,
    error: a.error,
    durationMs: a.duration_ms,
  })),
});

/** The endpoint's delivery log, newest first: each event delivered, pending or failed, with every attempt. */
export async function webhookDeliveries(services: Services, principal: Principal, id: string, top: number) {
  const endpoint = await requireEndpoint(services, principal, id);
  const rows = await deliveriesOf(services.db, endpoint.tenant_id, endpoint.id, top);
  return {
    '@odata.context': odataContext(services.config.baseUrl, `webhooks('${endpoint.id}')/deliveries`),
    value: rows.map(deliveryResource),
  };
}
