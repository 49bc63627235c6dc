import type { InvitationStatus } from '../db/schema.js';
import { FoyerError } from '../errors/catalogue.js';

/**
 * The invitation state machine (PRODUCT §4.2) as a pure function. The store applies a transition with a
 * guarded UPDATE … WHERE status IN (the allowed sources), so two concurrent redemptions cannot both win.
 *
 *   PendingAcceptance ──redeem──▶ Accepted ──reset──▶ PendingAcceptance
 *          │  ▲ resend (new ticket)      │ resend (new ticket, status stays)
 *          │  └──reinvite── Revoked / Expired
 *          ├──revoke──▶ Revoked
 *          └──expire──▶ Expired
 */
export type InvitationEvent = 'redeem' | 'resend' | 'reinvite' | 'reset' | 'revoke' | 'expire';

const transitions: Record<InvitationEvent, Partial<Record<InvitationStatus, InvitationStatus>>> = {
  redeem: { PendingAcceptance: 'Accepted' },
  resend: { PendingAcceptance: 'PendingAcceptance', Accepted: 'Accepted' },
  reinvite: { Revoked: 'PendingAcceptance', Expired: 'PendingAcceptance' },
  reset: {
    PendingAcceptance: 'PendingAcceptance',
    Accepted: 'PendingAcceptance',
    Revoked: 'PendingAcceptance',
    Expired: 'PendingAcceptance',
  },
  revoke: { PendingAcceptance: 'Revoked' },
  expire: { PendingAcceptance: 'Expired' },
};

const refusals: Record<InvitationEvent, string> = {
  redeem: 'This invitation has already been redeemed, revoked or has expired.',
  resend: 'Only a pending or accepted invitation can be resent; invite the address again instead.',
  reinvite: 'The invitation is still active.',
  reset: 'The redemption cannot be reset.',
  revoke: 'Only a pending invitation can be revoked.',
  expire: 'Only a pending invitation can expire.',
};

export function nextState(current: InvitationStatus, event: InvitationEvent): InvitationStatus {
  const next = transitions[event][current];
  if (next === undefined) throw new FoyerError('invitationStateConflict', refusals[event]);
  return next;
}

/** Another request changed the invitation between our read and our guarded update. */
export const raceLost = (): FoyerError =>
  new FoyerError('invitationStateConflict', 'The invitation changed while this request ran. Try again.');

/** The statuses an event may start from: the guard of the store's conditional UPDATE. */
export function sourcesOf(event: InvitationEvent): InvitationStatus[] {
  return Object.keys(transitions[event]) as InvitationStatus[];
}

/** Graph's invitation.status: "Completed" once redeemed, else the pending state name. */
export function graphStatus(status: InvitationStatus): string {
  return status === 'Accepted' ? 'Completed' : status;
}

/** When a pending invitation sent now expires under the tenant's policy: never, unless the tenant set a lifetime. */
export function expiryFrom(expiryDays: number | null, now: Date): string | null {
  return expiryDays ? new Date(now.getTime() + expiryDays * 86_400_000).toISOString() : null;
}
