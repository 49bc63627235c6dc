import type { MailDictionary } from '../dictionary.js';

export const deDE: MailDictionary = {
  invitationSubject:
    '{inviter} hat Sie eingeladen, auf Anwendungen in der zugehörigen Organisation zuzugreifen',
  reminderSubject: 'Erinnerung: {subject}',
  heading: 'Sie wurden eingeladen',
  reminderHeading: 'Erinnerung: Sie wurden eingeladen',
  intro: '{inviter} hat Sie eingeladen, auf Anwendungen von {organization} zuzugreifen.',
  reminderIntro:
    'Zur Erinnerung: Die Einladung von {inviter}, auf Anwendungen von {organization} zuzugreifen, wartet noch auf Sie.',
  invitedByLabel: 'Eingeladen von',
  organizationLabel: 'Organisation',
  domainLabel: 'Domäne',
  messageLabel: 'Nachricht von {inviter}',
  acceptButton: 'Einladung annehmen',
  linkFallback: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  trustWarning:
    'Nehmen Sie diese Einladung nur an, wenn Sie dem Absender vertrauen. Wenn Sie sie nicht erwartet haben oder {inviter} bzw. {organization} nicht kennen, ignorieren Sie diese E-Mail.',
  privacyLabel: 'Datenschutzerklärung',
  privacyLink: 'Datenschutzerklärung von {organization}',
  privacyNotProvided: 'nicht angegeben',
  blockLink: 'Zukünftige Einladungen von {organization} blockieren',
  footer: 'Foyer hat diese E-Mail im Auftrag von {organization} gesendet.',
  logoAlt: 'Logo von {organization}',
};
