export { headerSafe, type MailAddress, messageIdFor } from './headers.js';
export { composeInvitationMail, type InvitationMailRequest } from './invitation-mail.js';
export {
  type EnqueuedMail,
  enqueueMail,
  findOutboxMail,
  listOutbox,
  type MailStatus,
  type NewMail,
  type OutboxMail,
  outboxStatus,
  withdrawPendingMails,
} from './outbox-store.js';
export { redactSecrets } from './redaction.js';
export { devMailboxEnabled, mailPlugin } from './routes.js';
export {
  type InvitationMailInput,
  type RenderedMail,
  renderInvitationMail,
  renderReminderMail,
} from './templates/invitation.js';
export {
  type MailLanguage,
  type MailLanguageCandidates,
  matchShippedLanguage,
  resolveMailLanguage,
  SHIPPED_MAIL_LANGUAGES,
} from './templates/languages.js';
export { createMailTransport, devMailboxTransport, type MailTransport, smtpTransport } from './transports.js';
export { type MailWorker, type MailWorkerOptions, retryDelayMs, startMailWorker } from './worker.js';
