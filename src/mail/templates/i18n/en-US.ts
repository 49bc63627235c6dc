import type { MailDictionary } from '../dictionary.js';

export const enUS: MailDictionary = {
  invitationSubject: '{inviter} invited you to access applications within their organization',
  reminderSubject: 'Reminder: {subject}',
  heading: 'You’re invited',
  reminderHeading: 'Reminder: you’re invited',
  intro: '{inviter} invited you to access applications within {organization}.',
  reminderIntro:
    'This is a reminder: the invitation from {inviter} to access applications within {organization} is still waiting for you.',
  invitedByLabel: 'Invited by',
  organizationLabel: 'Organization',
  domainLabel: 'Domain',
  messageLabel: 'Message from {inviter}',
  acceptButton: 'Accept invitation',
  linkFallback: 'If the button does not work, copy this address into your browser:',
  trustWarning:
    'Only accept this invitation if you trust the sender. If you were not expecting it, or you do not know {inviter} or {organization}, ignore this email.',
  privacyLabel: 'Privacy statement',
  privacyLink: 'Privacy statement of {organization}',
  privacyNotProvided: 'not provided',
  blockLink: 'Block future invitations from {organization}',
  footer: 'Foyer sent this email on behalf of {organization}.',
  logoAlt: '{organization} logo',
};
