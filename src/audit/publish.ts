import type { Insertable, Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { preparedInsert } from '../db/prepared.js';
import type { AuditLogsTable, Database } from '../db/schema.js';
import { queueWebhookDeliveries } from '../webhooks/events.js';
import { activityFor } from './activities.js';
import type { DomainEvent } from './events.js';

/**
 * Records a domain event inside the transaction that made the change, so the change and its audit entry
 * commit together. Its consumers: the audit log, and webhooks (a delivery per subscribed endpoint, in the
 * same transaction, sent later by src/webhooks/worker.ts). (Mail is queued by the invitation code itself, in
 * the same transaction, because the mail carries the one-time ticket, which an event must never hold.)
 */
export async function publish(
  trx: Transaction<Database>,
  services: Services,
  event: DomainEvent,
): Promise<void> {
  await writeAuditEntry(trx, services, event);
  await queueWebhookDeliveries(trx, services, event);
  countInvitationOutcome(services, event);
}

/**
 * foyer_invitations_total{outcome}: the invitation's lifecycle events, counted as they are published (a
 * transaction that then rolls back, such as a lost race that is retried, is counted too: the figure is a rate
 * for dashboards, the audit log is the record).
 */
function countInvitationOutcome(services: Services, event: DomainEvent): void {
  if (event.type.startsWith('invitation.')) {
    services.metrics.invitations.inc({ outcome: event.type.slice('invitation.'.length) });
  } else if (event.type === 'guest.reset') {
    services.metrics.invitations.inc({ outcome: 'reset' });
  }
}

async function writeAuditEntry(trx: Transaction<Database>, services: Services, event: DomainEvent) {
  const activity = activityFor(event.type);
  const { actor } = event;
  const initiatedBy = {
    app:
      actor.kind === 'app'
        ? {
            appId: actor.name,
            displayName: actor.displayName,
            servicePrincipalId: actor.id,
            servicePrincipalName: actor.displayName,
          }
        : actor.kind === 'operator'
          ? {
              appId: null,
              displayName: actor.displayName,
              servicePrincipalId: null,
              servicePrincipalName: null,
            }
          : null,
    // Graph's initiatedBy knows apps and users only. The operator shows in the `app` slot with no appId and no
    // service principal (as Entra shows its own internal services), plus a Foyer `operator` entry saying so.
    ...(actor.kind === 'operator' && { operator: { displayName: actor.displayName, channel: actor.name } }),
    user:
      actor.kind === 'user'
        ? {
            id: actor.id,
            displayName: actor.displayName,
            userPrincipalName: actor.name,
            ipAddress: actor.ipAddress,
          }
        : null,
  };
  await insertAuditRow(trx, {
    tenant_id: event.tenantId,
    id: services.ids.objectId(),
    activity_date_time: services.clock.now().toISOString(),
    activity_display_name: activity.displayName,
    category: activity.category,
    operation_type: activity.operationType,
    result: event.result ?? 'success',
    result_reason: event.resultReason ?? '',
    logged_by_service: activity.loggedByService,
    correlation_id: event.correlationId,
    initiated_by: JSON.stringify(initiatedBy),
    target_resources: JSON.stringify(
      event.targets.map((t) => ({
        id: t.id,
        displayName: t.displayName,
        type: t.type,
        userPrincipalName: t.userPrincipalName ?? null,
        groupType: null,
        modifiedProperties: t.modifiedProperties ?? [],
      })),
    ),
    additional_details: JSON.stringify(
      Object.entries(event.details ?? {}).map(([key, value]) => ({ key, value })),
    ),
  });
}

const insertAuditRow = preparedInsert<'audit_logs', Insertable<AuditLogsTable>>('audit_logs');
