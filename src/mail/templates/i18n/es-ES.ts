import type { MailDictionary } from '../dictionary.js';

export const esES: MailDictionary = {
  invitationSubject: '{inviter} le ha invitado a acceder a aplicaciones de su organización',
  reminderSubject: 'Recordatorio: {subject}',
  heading: 'Ha recibido una invitación',
  reminderHeading: 'Recordatorio: ha recibido una invitación',
  intro: '{inviter} le ha invitado a acceder a aplicaciones de {organization}.',
  reminderIntro:
    'Le recordamos que la invitación de {inviter} para acceder a aplicaciones de {organization} sigue pendiente.',
  invitedByLabel: 'Invitación de',
  organizationLabel: 'Organización',
  domainLabel: 'Dominio',
  messageLabel: 'Mensaje de {inviter}',
  acceptButton: 'Aceptar invitación',
  linkFallback: 'Si el botón no funciona, copie esta dirección en su navegador:',
  trustWarning:
    'Acepte esta invitación solo si confía en el remitente. Si no la esperaba o no conoce a {inviter} ni a {organization}, ignore este mensaje.',
  privacyLabel: 'Declaración de privacidad',
  privacyLink: 'Declaración de privacidad de {organization}',
  privacyNotProvided: 'no proporcionada',
  blockLink: 'Bloquear futuras invitaciones de {organization}',
  footer: 'Foyer ha enviado este mensaje en nombre de {organization}.',
  logoAlt: 'Logotipo de {organization}',
};
