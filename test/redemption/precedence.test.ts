import { describe, expect, it } from 'vitest';
import { type AddressFacts, redemptionPath } from '../../src/redemption/precedence.js';

const none: AddressFacts = {
  memberElsewhere: false,
  federatedDomain: false,
  googleAddress: false,
  personalAccount: false,
  passcodeEnabled: false,
};

describe('the redemption precedence of PRODUCT §4.3', () => {
  it('takes the first rule that applies, in order', () => {
    expect(
      redemptionPath({ ...none, memberElsewhere: true, personalAccount: true, passcodeEnabled: true }),
    ).toBe('member');
    expect(
      redemptionPath({ ...none, federatedDomain: true, googleAddress: true, personalAccount: true }),
    ).toBe('federated');
    expect(redemptionPath({ ...none, googleAddress: true, personalAccount: true })).toBe('google');
    expect(redemptionPath({ ...none, personalAccount: true, passcodeEnabled: true })).toBe('personal');
    expect(redemptionPath({ ...none, passcodeEnabled: true })).toBe('passcode');
    expect(redemptionPath(none)).toBe('signup');
  });
});
