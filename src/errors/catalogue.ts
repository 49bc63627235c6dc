/**
 * The one catalogue of errors Foyer returns. Codes follow Microsoft Graph's, so Graph SDKs and MSAL
 * clients recognise them (https://learn.microsoft.com/graph/errors). Frozen: a code, once shipped, is a contract.
 */
export const catalogue = Object.freeze({
  badRequest: { code: 'Request_BadRequest', status: 400 },
  invalidRequestBody: { code: 'Request_BadRequest', status: 400 },
  unsupportedQuery: { code: 'Request_UnsupportedQuery', status: 400 },
  invalidValue: { code: 'Request_InvalidValue', status: 400 },
  duplicateValue: { code: 'Request_MultipleObjectsWithSameKeyValue', status: 400 },
  unauthenticated: { code: 'InvalidAuthenticationToken', status: 401 },
  forbidden: { code: 'Authorization_RequestDenied', status: 403 },
  notFound: { code: 'Request_ResourceNotFound', status: 404 },
  routeNotFound: { code: 'UnknownError', status: 404 },
  requestTimeout: { code: 'Request_Timeout', status: 408 },
  preconditionFailed: { code: 'Request_PreconditionFailed', status: 412 },
  payloadTooLarge: { code: 'Request_EntityTooLarge', status: 413, page: 'errorTooLarge' },
  uriTooLong: { code: 'Request_UriTooLong', status: 414 },
  unsupportedMediaType: { code: 'Request_UnsupportedMediaType', status: 415 },
  tooManyRequests: { code: 'TooManyRequests', status: 429, page: 'errorTooManyRequests' },
  headersTooLarge: { code: 'Request_HeaderFieldsTooLarge', status: 431 },
  // B2B invitations. Graph has no specific codes for these; Foyer's are stable and named for the rule.
  invitedUserIsMember: { code: 'Request_InvitedUserIsMember', status: 400 },
  invitationDomainNotAllowed: { code: 'Request_InvitationDomainNotAllowed', status: 400 },
  invitationBlockedByRecipient: { code: 'Request_InvitationBlockedByRecipient', status: 400 },
  invitationStateConflict: { code: 'Request_InvitationStateConflict', status: 409 },
  invitationsDisabled: { code: 'Authorization_InvitationsDisabled', status: 403 },
  // Pages (sign-in, redemption): `page` names the sentence a person reads (src/web/i18n), never Graph's text.
  csrfFailed: { code: 'Request_CsrfTokenInvalid', status: 403, page: 'errorCsrf' },
  redemptionLinkNotValid: { code: 'Request_InvitationLinkNotValid', status: 404, page: 'errorLinkNotValid' },
  invitationRevoked: { code: 'Request_InvitationRevoked', status: 410, page: 'errorInvitationRevoked' },
  invitationExpired: { code: 'Request_InvitationExpired', status: 410, page: 'errorInvitationExpired' },
  invitationRedeemedByOther: {
    code: 'Request_InvitationRedeemed',
    status: 409,
    page: 'errorRedeemedByOther',
  },
  interactionExpired: { code: 'Request_SignInExpired', status: 400, page: 'errorInteractionExpired' },
  accountDisabled: { code: 'Authorization_AccountDisabled', status: 403, page: 'errorAccountDisabled' },
  noAccessToTenant: { code: 'Authorization_NoAccessToTenant', status: 403, page: 'errorNoAccess' },
  redemptionDomainNotAllowed: {
    code: 'Request_InvitationDomainNotAllowed',
    status: 403,
    page: 'errorDomainNotAllowed',
  },
  identityAlreadyGuest: {
    code: 'Request_IdentityAlreadyBound',
    status: 409,
    page: 'errorIdentityAlreadyGuest',
  },
  passcodeDisabled: { code: 'Authorization_PasscodeDisabled', status: 403, page: 'errorPasscodeDisabled' },
  // Identity providers (issue 9): the metadata could not be used, or guests are still bound to the provider.
  identityProviderMetadataInvalid: { code: 'Request_IdentityProviderMetadataInvalid', status: 400 },
  identityProviderInUse: { code: 'Request_IdentityProviderInUse', status: 409 },
  federationFailed: { code: 'Request_FederationFailed', status: 400, page: 'errorFederationFailed' },
  federationEmailUnverified: {
    code: 'Authorization_FederatedEmailUnverified',
    status: 403,
    page: 'errorFederationUnverified',
  },
  federationEmailMismatch: {
    code: 'Authorization_FederatedEmailMismatch',
    status: 403,
    page: 'errorFederationMismatch',
  },
  federationStateInvalid: {
    code: 'Request_FederationStateInvalid',
    status: 400,
    page: 'errorFederationState',
  },
  /** A resource with that key exists already (a second partner configuration for one tenant). */
  conflict: { code: 'Request_MultipleObjectsWithSameKeyValue', status: 409 },
  internal: { code: 'generalException', status: 500 },
} as const);

export type ErrorKey = keyof typeof catalogue;

/** Thrown anywhere in Foyer; turned into a response in exactly one place (errors/mapper.ts). */
export class FoyerError extends Error {
  readonly key: ErrorKey;
  readonly code: string;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers: Record<string, string>;
  /** Values for the placeholders of the page sentence (organization, email…), shown escaped. */
  readonly pageValues: Record<string, string>;

  constructor(
    key: ErrorKey,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown; pageValues?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.pageValues = options.pageValues ?? {};
    this.name = 'FoyerError';
    this.key = key;
    this.code = catalogue[key].code;
    this.status = catalogue[key].status;
    this.headers = options.headers ?? {};
  }
}

export const isFoyerError = (error: unknown): error is FoyerError => error instanceof FoyerError;
