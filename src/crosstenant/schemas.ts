import * as z from 'zod';
import type { PartnerRow } from './store.js';

/**
 * crossTenantAccessPolicyConfigurationPartner (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationpartner).
 * Foyer models inbound trust of the partner's MFA; device claims are not something Foyer can check, so they may
 * only be false, and the B2B collaboration and direct connect settings are not modelled (always null).
 */
const inboundTrust = z
  .object({
    isMfaAccepted: z.boolean(),
    isCompliantDeviceAccepted: z.literal(false).optional(),
    isHybridAzureADJoinedDeviceAccepted: z.literal(false).optional(),
  })
  .strict();

export const partnerTenantParams = z.object({
  tenantId: z.uuid({ message: 'must be a tenant id (a GUID)' }),
});

export const createPartnerBody = z
  .object({
    tenantId: z.uuid({ message: 'must be a tenant id (a GUID)' }),
    inboundTrust: inboundTrust.nullable().optional(),
  })
  .strict();

export const updatePartnerBody = z.object({ inboundTrust: inboundTrust.nullable().optional() }).strict();

export const partnerResource = z.object({
  tenantId: z.string(),
  isServiceProvider: z.null(),
  isInMultiTenantOrganization: z.boolean(),
  inboundTrust: z
    .object({
      isMfaAccepted: z.boolean(),
      isCompliantDeviceAccepted: z.boolean(),
      isHybridAzureADJoinedDeviceAccepted: z.boolean(),
    })
    .nullable(),
  b2bCollaborationInbound: z.null(),
  b2bCollaborationOutbound: z.null(),
  b2bDirectConnectInbound: z.null(),
  b2bDirectConnectOutbound: z.null(),
  tenantRestrictions: z.null(),
});
export type PartnerResource = z.infer<typeof partnerResource>;

export function toPartnerResource(row: PartnerRow): PartnerResource {
  return {
    tenantId: row.partner_tenant_id,
    isServiceProvider: null,
    isInMultiTenantOrganization: false,
    inboundTrust: {
      isMfaAccepted: row.is_mfa_accepted === 1,
      isCompliantDeviceAccepted: false,
      isHybridAzureADJoinedDeviceAccepted: false,
    },
    b2bCollaborationInbound: null,
    b2bCollaborationOutbound: null,
    b2bDirectConnectInbound: null,
    b2bDirectConnectOutbound: null,
    tenantRestrictions: null,
  };
}
