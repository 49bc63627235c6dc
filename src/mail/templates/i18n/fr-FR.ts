import type { MailDictionary } from '../dictionary.js';

export const frFR: MailDictionary = {
  invitationSubject: '{inviter} vous a invité(e) à accéder à des applications de son organisation',
  reminderSubject: 'Rappel : {subject}',
  heading: 'Vous êtes invité(e)',
  reminderHeading: 'Rappel : vous êtes invité(e)',
  intro: '{inviter} vous a invité(e) à accéder à des applications de {organization}.',
  reminderIntro:
    'Ceci est un rappel : l’invitation de {inviter} à accéder à des applications de {organization} vous attend toujours.',
  invitedByLabel: 'Invitation de',
  organizationLabel: 'Organisation',
  domainLabel: 'Domaine',
  messageLabel: 'Message de {inviter}',
  acceptButton: 'Accepter l’invitation',
  linkFallback: 'Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :',
  trustWarning:
    'N’acceptez cette invitation que si vous faites confiance à l’expéditeur. Si vous ne l’attendiez pas, ou si vous ne connaissez ni {inviter} ni {organization}, ignorez ce message.',
  privacyLabel: 'Déclaration de confidentialité',
  privacyLink: 'Déclaration de confidentialité de {organization}',
  privacyNotProvided: 'non fournie',
  blockLink: 'Bloquer les futures invitations de {organization}',
  footer: 'Foyer a envoyé ce message pour le compte de {organization}.',
  logoAlt: 'Logo de {organization}',
};
