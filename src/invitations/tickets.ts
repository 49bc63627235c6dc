import type { Services } from '../app/services.js';
import { hashSecret, secretMatches } from '../platform/secrets.js';

/**
 * Redeem tickets (PRODUCT §4.2): 256 random bits, shown once in the redeem URL, stored only as a keyed hash.
 * A new ticket replaces the old hash, so the previous link stops working at once.
 */
export function newTicket(services: Services): { ticket: string; hash: string; redeemUrl: string } {
  const ticket = services.ids.token(32);
  return {
    ticket,
    hash: hashTicket(services, ticket),
    redeemUrl: `${services.config.baseUrl}/redeem?ticket=${ticket}`,
  };
}

export const hashTicket = (services: Services, ticket: string): string =>
  hashSecret(`ticket:${ticket}`, services.config.secret);

/**
 * The "block future invitations" link: keyed to the invitation and the address it was mailed to, signed so
 * nobody can block on someone else's behalf. The address is part of the signature because a reset may give
 * the invitation another one: the old recipient's link must not speak for the new address. The signature
 * doubles as the confirmation form's CSRF token (only the recipient has it).
 */
const blockPayload = (tenantId: string, invitationId: string, email: string) =>
  `block:${tenantId}:${invitationId}:${email.toLowerCase()}`;

export function blockSignature(
  services: Services,
  tenantId: string,
  invitationId: string,
  email: string,
): string {
  return hashSecret(blockPayload(tenantId, invitationId, email), services.config.secret);
}

export function blockUrl(services: Services, tenantId: string, invitationId: string, email: string): string {
  const sig = blockSignature(services, tenantId, invitationId, email);
  return `${services.config.baseUrl}/invitations/block?tenant=${tenantId}&invitation=${invitationId}&sig=${sig}`;
}

export function blockSignatureMatches(
  services: Services,
  tenantId: string,
  invitationId: string,
  email: string,
  sig: string,
) {
  return secretMatches(blockPayload(tenantId, invitationId, email), sig, services.config.secret);
}
