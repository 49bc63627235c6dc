/**
 * The strings of the invitation mail, one small file per shipped language (i18n/). Placeholders in braces
 * ({inviter}, {organization}, {subject}) are filled as plain text and escaped by the renderer, never here.
 */
export interface MailDictionary {
  invitationSubject: string;
  reminderSubject: string;
  heading: string;
  reminderHeading: string;
  intro: string;
  reminderIntro: string;
  invitedByLabel: string;
  organizationLabel: string;
  domainLabel: string;
  messageLabel: string;
  acceptButton: string;
  linkFallback: string;
  trustWarning: string;
  privacyLabel: string;
  privacyLink: string;
  privacyNotProvided: string;
  blockLink: string;
  footer: string;
  logoAlt: string;
}

/** Fills `{name}` placeholders; an unknown placeholder is left as is, so a missing value is visible in review. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
