/**
 * Why a sign-in did not succeed, by name, with the number an administrator sees in `status/errorCode`.
 * Numbers are Entra's AADSTS codes where one fits (https://learn.microsoft.com/entra/identity-platform/reference-error-codes),
 * so runbooks and filters written for Entra (`status/errorCode eq 50126`) keep working. Foyer-only situations
 * that Entra has no public code for use 90000xx, a range Entra does not document.
 *
 * `interrupted` is Entra's word for a sign-in that stopped to ask for something (MFA, consent) and may go on;
 * it is not a failure of the person's credentials.
 *
 * Not used, on purpose: 50055 (password expired) — Foyer passwords do not expire.
 */
export interface SignInFailureSpec {
  errorCode: number;
  result: 'failure' | 'interrupted';
  /** Shown to administrators in the log; never shown to the person signing in (it may reveal that an account exists). */
  failureReason: string;
}

export const signInFailures = Object.freeze({
  invalidCredentials: {
    errorCode: 50126,
    result: 'failure',
    failureReason: 'Error validating credentials due to invalid username or password.',
  },
  accountLocked: {
    errorCode: 50053,
    result: 'failure',
    failureReason:
      'Account is locked because the user tried to sign in too many times with an incorrect user ID or password.',
  },
  accountDisabled: { errorCode: 50057, result: 'failure', failureReason: 'User account is disabled.' },
  userNotFound: {
    errorCode: 50034,
    result: 'failure',
    failureReason: 'The user account does not exist in the directory.',
  },
  guestNotInTenant: {
    errorCode: 50020,
    result: 'failure',
    failureReason:
      'User account from identity provider does not exist in tenant and cannot access the application.',
  },
  guestAccountUnavailable: {
    errorCode: 500571,
    result: 'failure',
    failureReason: 'The guest user account cannot be used to sign in to this tenant.',
  },
  mfaRequired: {
    errorCode: 50076,
    result: 'interrupted',
    failureReason: 'Multi-factor authentication is required to access this resource.',
  },
  mfaEnrollmentRequired: {
    errorCode: 50079,
    result: 'interrupted',
    failureReason: 'The user must enroll in multi-factor authentication.',
  },
  mfaFailed: {
    errorCode: 500121,
    result: 'failure',
    failureReason: 'Authentication failed during strong authentication request.',
  },
  consentRequired: {
    errorCode: 65001,
    result: 'interrupted',
    failureReason: 'The user or administrator has not consented to use the application.',
  },
  consentDeclined: {
    errorCode: 65004,
    result: 'failure',
    failureReason: 'User declined to consent to access the app.',
  },
  badRequest: {
    errorCode: 90100,
    result: 'failure',
    failureReason: 'The request is malformed or a parameter is not valid.',
  },
  applicationNotFound: {
    errorCode: 700016,
    result: 'failure',
    failureReason: 'Application with the identifier was not found in the directory.',
  },
  redirectUriMismatch: {
    errorCode: 50011,
    result: 'failure',
    failureReason:
      'The redirect URI specified in the request does not match the redirect URIs configured for the application.',
  },
  // Foyer-only (no public Entra code).
  oneTimePasscodeInvalid: {
    errorCode: 9000001,
    result: 'failure',
    failureReason: 'The one-time passcode is not valid.',
  },
  oneTimePasscodeExpired: {
    errorCode: 9000002,
    result: 'failure',
    failureReason: 'The one-time passcode has expired.',
  },
  federationFailed: {
    errorCode: 9000003,
    result: 'failure',
    failureReason: 'The federated identity provider did not complete the sign-in.',
  },
  domainNotAllowed: {
    errorCode: 9000004,
    result: 'failure',
    failureReason: "The tenant's collaboration settings do not allow this user's domain.",
  },
} as const satisfies Record<string, SignInFailureSpec>);

export type SignInFailure = keyof typeof signInFailures;

const reasonsByCode: ReadonlyMap<number, string> = new Map(
  Object.values(signInFailures).map((spec) => [spec.errorCode, spec.failureReason]),
);

/** The catalogue's failure reason for a code, or null (success, or a code Foyer does not name). */
export function failureReasonFor(errorCode: number): string | null {
  return reasonsByCode.get(errorCode) ?? null;
}
