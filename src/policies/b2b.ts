import * as z from 'zod';
import { emailDomain } from '../platform/text.js';

/**
 * The tenant's B2B collaboration settings (PRODUCT §5), served at /policies/b2bManagementPolicy. Domains are
 * an allow-list or a deny-list (never both, ≤ 25 KB), `*.contoso.com` matching every subdomain of contoso.com
 * (list contoso.com too to include the apex, as in Entra).
 */
const domainPattern = z
  .string()
  .max(253)
  .transform((d) => d.trim().toLowerCase())
  .refine((d) => /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(d), {
    message: 'must be a domain such as contoso.com or *.contoso.com',
  });

export const MAX_DOMAIN_LIST_BYTES = 25 * 1024;

const domainsPolicy = z
  .object({
    allowedDomains: z.array(domainPattern).optional(),
    blockedDomains: z.array(domainPattern).optional(),
  })
  .strict()
  .refine((p) => !(p.allowedDomains?.length && p.blockedDomains?.length), {
    message: 'use allowedDomains or blockedDomains, not both',
  })
  .refine((p) => JSON.stringify(p).length <= MAX_DOMAIN_LIST_BYTES, {
    message: `the domain list must not exceed ${MAX_DOMAIN_LIST_BYTES / 1024} KB`,
  });

export const b2bPolicyDocument = z
  .object({
    invitationsAllowedAndBlockedDomainsPolicy: domainsPolicy,
    emailOneTimePasscodeEnabled: z.boolean(),
    guestsMayLeave: z.boolean(),
    /** null: invitations never expire (Entra's behaviour). */
    invitationExpiryDays: z.number().int().min(1).max(365).nullable(),
    /** Days after sending at which a reminder goes out while still pending, e.g. [3, 10]. */
    invitationReminderDays: z.array(z.number().int().min(1).max(365)).max(5),
    /** Foyer extensions (PRODUCT §5–§6): the tenant's TOTP second factor for its guests, and for its members. */
    mfaRequiredForGuests: z.boolean(),
    mfaRequiredForMembers: z.boolean(),
  })
  .strict();
export type B2bPolicyDocument = z.infer<typeof b2bPolicyDocument>;

export const defaultB2bPolicy: B2bPolicyDocument = {
  invitationsAllowedAndBlockedDomainsPolicy: {},
  emailOneTimePasscodeEnabled: true,
  guestsMayLeave: true,
  invitationExpiryDays: null,
  invitationReminderDays: [],
  mfaRequiredForGuests: false,
  mfaRequiredForMembers: false,
};

export const b2bPolicyPatch = b2bPolicyDocument.partial().strict();

export const b2bPolicyResponse = b2bPolicyDocument.extend({
  '@odata.context': z.string(),
  id: z.literal('b2bManagementPolicy'),
  displayName: z.string(),
});

function matches(pattern: string, domain: string): boolean {
  return pattern.startsWith('*.') ? domain.endsWith(pattern.slice(1)) : domain === pattern;
}

/**
 * The one domain check, used when inviting and again at redemption (PRODUCT §4.1, §5). Returns the reason
 * when the address's domain may not be invited, or null when it may.
 */
export function domainRefusal(policy: B2bPolicyDocument, email: string): string | null {
  const domain = emailDomain(email);
  const { allowedDomains, blockedDomains } = policy.invitationsAllowedAndBlockedDomainsPolicy;
  if (allowedDomains?.length && !allowedDomains.some((p) => matches(p, domain))) {
    return `Invitations to '${domain}' are not allowed: the domain is not on this organization's allow list.`;
  }
  if (blockedDomains?.some((p) => matches(p, domain))) {
    return `Invitations to '${domain}' are not allowed: the domain is on this organization's deny list.`;
  }
  return null;
}
