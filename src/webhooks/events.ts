import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import type { DomainEvent } from '../audit/events.js';
import { prepared } from '../db/prepared.js';
import type { Database } from '../db/schema.js';

/**
 * The events an endpoint may subscribe to (PRODUCT §4.2), and the domain events (src/audit/activities.ts) each
 * one is fed from. A redemption reset is the guest's domain event; for a receiver it is the invitation's.
 */
export const webhookEventTypes = {
  'invitation.created': 'invitation.created',
  'invitation.redeemed': 'invitation.redeemed',
  'invitation.reset': 'guest.reset',
  'invitation.revoked': 'invitation.revoked',
  'invitation.expired': 'invitation.expired',
  'guest.left': 'guest.left',
} as const;
export type WebhookEventType = keyof typeof webhookEventTypes;
export const allWebhookEvents = Object.keys(webhookEventTypes) as WebhookEventType[];

const byDomainEvent = new Map<string, WebhookEventType>(
  Object.entries(webhookEventTypes).map(([hook, domain]) => [domain, hook as WebhookEventType]),
);

/** What a receiver gets: the event id (receivers dedupe by it), its type, and what it is about. No secrets. */
function payloadOf(services: Services, event: DomainEvent, type: WebhookEventType, id: string, at: string) {
  return {
    id,
    type,
    tenantId: event.tenantId,
    occurredDateTime: at,
    data: {
      targets: event.targets.map((t) => ({
        id: t.id,
        type: t.type,
        displayName: t.displayName,
        userPrincipalName: t.userPrincipalName ?? null,
      })),
      details: event.details ?? {},
      initiatedBy: { kind: event.actor.kind, id: event.actor.id, displayName: event.actor.displayName },
    },
    apiBaseUrl: `${services.config.baseUrl}/v1.0`,
  };
}

/**
 * Called by publish() in the transaction of the change: one delivery per subscribed endpoint, all carrying the
 * same event id, committed with the change (or not at all). The webhook worker sends them. A disabled endpoint
 * gets none (deliveries already queued before it was disabled still go out).
 */
const endpointsOf = prepared<{ id: string; events: string }, [string]>(1, (db, tenantId) =>
  db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('tenant_id', '=', tenantId)
    .where('enabled', '=', 1),
);

export async function queueWebhookDeliveries(
  trx: Transaction<Database>,
  services: Services,
  event: DomainEvent,
): Promise<void> {
  const type = byDomainEvent.get(event.type);
  if (!type || (event.result ?? 'success') !== 'success') return;
  const endpoints = await endpointsOf(trx, event.tenantId);
  const subscribed = endpoints.filter((e) => (JSON.parse(e.events) as string[]).includes(type));
  if (subscribed.length === 0) return;
  const now = services.clock.now().toISOString();
  const eventId = services.ids.uuid();
  const payload = JSON.stringify(payloadOf(services, event, type, eventId, now));
  await trx
    .insertInto('webhook_deliveries')
    .values(
      subscribed.map((endpoint) => ({
        tenant_id: event.tenantId,
        id: services.ids.uuid(),
        endpoint_id: endpoint.id,
        event_id: eventId,
        event_type: type,
        payload,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
      })),
    )
    .execute();
}
