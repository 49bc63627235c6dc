/**
 * PRODUCT §4.3: how an invited address redeems, the first rule that applies. A pure function of what is known
 * about the address, so the order is read (and tested) in one place. The facts of steps 2 and 3 come from the
 * tenant's identity providers (src/federation/realm.ts).
 */
export type RedemptionPath = 'member' | 'federated' | 'google' | 'personal' | 'passcode' | 'signup';

export interface AddressFacts {
  /** A member account of another tenant on this instance (by a domain verified there). */
  memberElsewhere: boolean;
  /** The inviting tenant federates the address's domain to an OIDC provider. */
  federatedDomain: boolean;
  /** gmail.com / googlemail.com, and the inviting tenant configured Google. */
  googleAddress: boolean;
  personalAccount: boolean;
  passcodeEnabled: boolean;
}

export function redemptionPath(facts: AddressFacts): RedemptionPath {
  if (facts.memberElsewhere) return 'member';
  if (facts.federatedDomain) return 'federated';
  if (facts.googleAddress) return 'google';
  if (facts.personalAccount) return 'personal';
  if (facts.passcodeEnabled) return 'passcode';
  return 'signup';
}
