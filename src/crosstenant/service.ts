import type { Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { publish } from '../audit/publish.js';
import { authorize } from '../auth/guards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { Database } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';
import { type PartnerResource, toPartnerResource } from './schemas.js';
import { deletePartner, findPartner, insertPartner, listPartners, updatePartner } from './store.js';

/**
 * The tenant's cross-tenant access partners (PRODUCT §5–§6): per partner tenant, whether its MFA is trusted, so a
 * guest whose home session passed MFA there is not asked again here (src/mfa/gate.ts). Every change is audited.
 */

const notFound = (partnerTenantId: string) =>
  new FoyerError('notFound', `No partner configuration exists for tenant '${partnerTenantId}'.`);

export async function listPartnersFor(services: Services, principal: Principal): Promise<PartnerResource[]> {
  authorize(principal, 'readCrossTenantAccess');
  return (await listPartners(services.db, principal.tenantId)).map(toPartnerResource);
}

export async function getPartnerFor(services: Services, principal: Principal, partnerTenantId: string) {
  authorize(principal, 'readCrossTenantAccess');
  const row = await findPartner(services.db, principal.tenantId, partnerTenantId.toLowerCase());
  if (!row) throw notFound(partnerTenantId);
  return toPartnerResource(row);
}

function audit(
  trx: Transaction<Database>,
  services: Services,
  principal: Principal,
  type: string,
  partnerTenantId: string,
  correlationId: string,
  mfa?: { before: boolean | null; after: boolean | null },
) {
  return publish(trx, services, {
    type,
    tenantId: principal.tenantId,
    actor: actorOf(principal),
    targets: [
      {
        id: partnerTenantId,
        type: 'Policy',
        displayName: 'Cross-tenant access partner',
        ...(mfa && {
          modifiedProperties: [
            {
              displayName: 'inboundTrust.isMfaAccepted',
              oldValue: JSON.stringify(mfa.before),
              newValue: JSON.stringify(mfa.after),
            },
          ],
        }),
      },
    ],
    correlationId,
  });
}

export async function createPartnerFor(
  services: Services,
  principal: Principal,
  body: { tenantId: string; inboundTrust?: { isMfaAccepted: boolean } | null | undefined },
  correlationId: string,
): Promise<PartnerResource> {
  authorize(principal, 'writeCrossTenantAccess');
  const partnerTenantId = body.tenantId.toLowerCase();
  if (partnerTenantId === principal.tenantId) {
    throw new FoyerError('invalidValue', 'A tenant cannot be a cross-tenant access partner of itself.');
  }
  const now = services.clock.now().toISOString();
  const accepted = body.inboundTrust?.isMfaAccepted === true;
  const row = {
    partner_tenant_id: partnerTenantId,
    is_mfa_accepted: accepted ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  await services.db.transaction().execute(async (trx) => {
    if (!(await insertPartner(trx, principal.tenantId, row))) {
      throw new FoyerError(
        'conflict',
        `A partner configuration already exists for tenant '${partnerTenantId}'.`,
      );
    }
    await audit(trx, services, principal, 'crossTenantAccess.partner.added', partnerTenantId, correlationId, {
      before: null,
      after: accepted,
    });
  });
  return toPartnerResource({ ...row, tenant_id: principal.tenantId });
}

export async function updatePartnerFor(
  services: Services,
  principal: Principal,
  partnerTenantId: string,
  body: { inboundTrust?: { isMfaAccepted: boolean } | null | undefined },
  correlationId: string,
): Promise<void> {
  authorize(principal, 'writeCrossTenantAccess');
  const id = partnerTenantId.toLowerCase();
  const before = await findPartner(services.db, principal.tenantId, id);
  if (!before) throw notFound(partnerTenantId);
  if (body.inboundTrust === undefined) return;
  const accepted = body.inboundTrust?.isMfaAccepted === true;
  const now = services.clock.now().toISOString();
  await services.db.transaction().execute(async (trx) => {
    const changes = { is_mfa_accepted: accepted ? 1 : 0, updated_at: now };
    if (!(await updatePartner(trx, principal.tenantId, id, changes))) throw notFound(partnerTenantId);
    await audit(trx, services, principal, 'crossTenantAccess.partner.updated', id, correlationId, {
      before: before.is_mfa_accepted === 1,
      after: accepted,
    });
  });
}

export async function deletePartnerFor(
  services: Services,
  principal: Principal,
  partnerTenantId: string,
  correlationId: string,
): Promise<void> {
  authorize(principal, 'writeCrossTenantAccess');
  const id = partnerTenantId.toLowerCase();
  await services.db.transaction().execute(async (trx) => {
    if (!(await deletePartner(trx, principal.tenantId, id))) throw notFound(partnerTenantId);
    await audit(trx, services, principal, 'crossTenantAccess.partner.deleted', id, correlationId);
  });
}
