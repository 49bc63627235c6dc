/**
 * Every string of the sign-in, redemption and consent pages. Placeholders in braces are filled as plain text
 * and escaped by the `html` tag. fr-FR.ts must have every key (the type makes a missing one a compile error).
 */
export const enUS = {
  brand: 'Foyer',
  skipToContent: 'Skip to content',
  poweredBy: 'Secured by Foyer',
  // Redemption
  redeemTitle: 'Accept invitation',
  redeemHeading: 'You have been invited',
  redeemIntro: '{inviter} invited {email} to access applications of {organization}.',
  organizationLabel: 'Organization',
  domainLabel: 'Domain',
  privacyLabel: 'Privacy statement',
  privacyLink: 'Privacy statement of {organization}',
  privacyNotProvided: 'not provided',
  trustWarning:
    'Accept only if you trust {organization}. If you did not expect this invitation, close this page.',
  continueButton: 'Continue',
  signedInAs: 'You are signed in as {email}.',
  wrongAccount: 'This invitation is for {invited}, but you are signed in as {current}.',
  useAnotherAccount: 'Use another account',
  redeemedHeading: 'Invitation already accepted',
  redeemedText:
    'This invitation has already been accepted. Sign in to {organization} as {email} to continue.',
  signInButton: 'Sign in',
  // Identifier-first sign-in
  signInTitle: 'Sign in',
  signInHeading: 'Sign in',
  signInTo: 'to continue to {app}',
  signInAt: 'at {organization}',
  emailLabel: 'Email address',
  emailHint: 'The address of your work account or personal account.',
  nextButton: 'Next',
  noAccount: 'No account?',
  createAccountLink: 'Create one',
  // Password
  passwordTitle: 'Enter password',
  passwordHeading: 'Enter your password',
  passwordLabel: 'Password',
  forgotPassword: 'Forgot your password?',
  passwordPolicy:
    'At least 12 characters. A passphrase of several words is easy to remember and hard to guess.',
  // Passcode
  passcodeTitle: 'Enter code',
  passcodeHeading: 'Enter the code we emailed you',
  passcodeSent: 'We sent an 8-digit code to {email}. It is valid for 30 minutes.',
  passcodeLabel: 'Code',
  verifyButton: 'Verify',
  resendCode: 'Send a new code',
  sendCodeButton: 'Send code',
  passcodeOffer: 'We will email a one-time code to {email}.',
  // Account creation
  signupTitle: 'Create account',
  signupHeading: 'Create your account',
  signupIntro: 'Create a personal account for {email}. We will email you a code to confirm the address.',
  displayNameLabel: 'Your name',
  newPasswordLabel: 'New password',
  createAccountButton: 'Create account',
  // Password reset
  resetTitle: 'Reset password',
  resetHeading: 'Reset your password',
  resetIntro: 'If {email} has an account, we sent it a code. Enter it with a new password.',
  resetButton: 'Reset password',
  resetDone: 'Your password has been changed. Sign in with it.',
  // Consent
  consentTitle: 'Review permissions',
  consentHeading: 'Review permissions',
  consentIntro: '{organization} ({domain}) would like to:',
  consentSignIn: 'Sign you in to its applications',
  consentProfile: 'Read your name, email address, photo and identifiers',
  consentApp: '{app} would like to:',
  consentScopeOpenid: 'Sign you in',
  consentScopeProfile: 'See your name and username',
  consentScopeEmail: 'See your email address',
  consentScopeOffline: 'Keep access to what you gave it access to',
  consentScopeApi: 'Access the directory of {organization} as you ({permissions})',
  consentNote:
    'By accepting, you allow {organization} to use your information as its privacy statement says.',
  acceptButton: 'Accept',
  cancelButton: 'Cancel',
  cancelledHeading: 'Invitation not accepted',
  cancelledText:
    'Nothing was shared. The invitation stays open: use the link in the email whenever you are ready.',
  // Logout
  logoutTitle: 'Sign out',
  logoutHeading: 'Sign out of {organization}?',
  logoutButton: 'Sign out',
  stayButton: 'Stay signed in',
  loggedOutHeading: 'You have signed out',
  loggedOutText: 'You can close this window.',
  // Errors
  errorTitle: 'Something went wrong',
  errorGeneric:
    'The request could not be completed. Try again; if it keeps failing, quote this reference: {requestId}.',
  errorNotFound: 'This page does not exist.',
  errorLinkNotValid:
    'This invitation link is not valid. It may be incomplete, or a newer invitation replaced it. Ask the sender for a new invitation.',
  errorInvitationRevoked: 'This invitation was withdrawn by the organization that sent it.',
  errorInvitationExpired: 'This invitation has expired. Ask the sender for a new one.',
  errorRedeemedByOther: 'This invitation has already been accepted by someone else.',
  errorWrongCredentials: 'Your email address or password is incorrect.',
  errorLocked:
    'Too many failed attempts. This account is locked from your network for a while; try again in {minutes} minutes, or reset your password.',
  errorWrongCode: 'That code is not valid. Check the latest email and try again.',
  errorCodeExhausted: 'That code can no longer be used. Ask for a new one.',
  errorTooManyCodes:
    'Too many codes were sent to this address. Wait a few minutes before asking for another.',
  errorPasswordPolicy:
    'The password must be at least 12 characters long and not only one repeated character.',
  errorEmailInvalid: 'Enter a valid email address.',
  errorEmailMismatch:
    'You signed in as {current}, but the invitation is for {invited}. Use the account of {invited}.',
  errorDomainNotAllowed: '{organization} no longer accepts guests from this email domain.',
  errorAccountDisabled: 'This account is disabled. Contact the administrator of your organization.',
  errorNoAccess:
    '{email} has no access to {organization}. Ask the organization for an invitation, or use another account.',
  errorCsrf: 'This form expired or came from another site. Go back, reload the page and try again.',
  errorInteractionExpired:
    'This sign-in took too long and expired. Go back to the application and start again.',
  errorAccountExists: 'An account already exists for this address. Sign in instead.',
  errorPasscodeDisabled: '{organization} does not accept one-time passcodes. Ask it how to sign in.',
  // Mails of codes
  codeMailSubject: 'Your code for {organization}: {code}',
  codeMailIntro: 'Use this code to continue signing in to {organization}:',
  codeMailValidity: 'It is valid for 30 minutes and can be used once.',
  codeMailIgnore:
    'If you did not ask for it, you can ignore this email: nobody can sign in without the code.',
  errorIdentityAlreadyGuest:
    '{email} is already a guest of {organization} under another invitation. Sign in to it instead.',
  errorTooManyRequests: 'Too many requests came from your network. Wait a minute and try again.',
  errorTooLarge: 'What you sent is larger than this page accepts. Go back and choose a smaller file.',
  emailMeCode: 'Email me a one-time code instead',
  passcodeMaybeSent:
    'If {email} can sign in here with a one-time code, we sent it one: 8 digits, valid for 30 minutes.',
  signupDoneHeading: 'Your account is ready',
  signupDoneText:
    'You are signed in as {email}. Use this account to accept invitations from organizations and to sign in to their apps.',
  backToSignIn: 'Back to sign-in',
  // Federation (issue 9): the guest's own identity provider
  errorFederationFailed:
    '{provider} could not complete your sign-in, so nothing changed. Try again in a few minutes; if it keeps failing, tell {organization}.',
  errorFederationUnverified:
    '{provider} did not confirm that {email} is a verified address of yours. The invitation is still waiting: sign in at {provider} with a verified address.',
  errorFederationMismatch:
    '{provider} signed you in as {email}, but the invitation is for {invited}. The invitation is still waiting: sign in at {provider} as {invited}.',
  errorFederationState:
    'This sign-in expired or was already used. Go back to the invitation or the application and start again.',
  // MFA (src/mfa)
  mfaEnrolTitle: 'Set up two-step verification',
  mfaEnrolHeading: 'Set up two-step verification',
  mfaEnrolIntro:
    '{organization} asks for a code from an authenticator app each time you sign in. Scan this QR code with the app (Microsoft Authenticator, Google Authenticator, FreeOTP, …), or type the key below into it.',
  mfaQrAlt: 'QR code that adds {organization} to an authenticator app',
  mfaSecretLabel: 'Key',
  mfaCodeLabel: 'Authenticator code',
  mfaCodeHint: 'The 6-digit code the app shows for {organization}. It changes every 30 seconds.',
  mfaConfirmButton: 'Confirm',
  mfaRecoveryTitle: 'Save your recovery codes',
  mfaRecoveryHeading: 'Save your recovery codes',
  mfaRecoveryIntro:
    'If you lose your device, each of these codes lets you sign in once. Keep them somewhere safe: they are shown only now.',
  mfaRecoveryListLabel: 'Recovery codes',
  mfaVerifyTitle: 'Two-step verification',
  mfaVerifyHeading: 'Enter the code from your authenticator app',
  mfaVerifyIntro: '{organization} asks for a second step.',
  mfaRecoveryOffer: 'Lost your device? Use one of your recovery codes.',
  mfaRecoveryCodeLabel: 'Recovery code',
  mfaRecoveryButton: 'Sign in with a recovery code',
  errorMfaWrongCode: 'That code is not valid or was already used. Wait for the next code and try again.',
  errorMfaWrongRecoveryCode: 'That recovery code is not valid or was already used.',
  errorMfaLocked: 'Too many wrong codes. Two-step verification is locked; try again in {minutes} minutes.',
};

export type PageDictionary = { readonly [K in keyof typeof enUS]: string };
