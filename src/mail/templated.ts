import {
  type InvitationMailInput,
  renderInvitationMail,
  renderReminderMail,
} from './templates/invitation.js';
import type { MailLanguage } from './templates/languages.js';

/**
 * What a templated mail is rendered from, stored as JSON in `mail_outbox.template` (migration 018). The request
 * that queues the mail stores only this; the worker renders just before sending (issue #11: rendering was a
 * tenth of an invitation's time inside its transaction).
 *
 * Everything the mail shows is captured here when the mail is queued — the organisation's name, logo and
 * privacy link, the inviter's name, the language chosen by PRODUCT §4.4's precedence — so the mail says what
 * was true at invitation time, however long it waits and whatever the tenant's branding becomes meanwhile.
 * Only the markup (the template code of the running build) is applied at send time.
 */
export interface MailTemplate {
  name: 'invitation' | 'invitation.reminder';
  language: MailLanguage;
  content: InvitationMailInput;
}

interface MailBodies {
  html: string;
  text: string;
  /** Set when the stored template could not be rendered (queued by another build): the bodies are empty. */
  renderError?: string;
}

/** The bodies of a stored template. */
function renderTemplate(template: MailTemplate): MailBodies {
  const render = template.name === 'invitation.reminder' ? renderReminderMail : renderInvitationMail;
  const { html, text } = render(template.content, template.language);
  return { html, text };
}

/**
 * A row's bodies: the stored ones, or — while the row still holds its template — rendered from it. Every
 * reader of bodies (worker, dev mailbox, redaction) goes through here, so old rows and templated rows read
 * the same. It never throws: one row that cannot be rendered must not take a batch, a sweep or a page with it.
 */
export function bodiesOf(row: { html_body: string; text_body: string; template: string | null }): MailBodies {
  if (row.template === null) return { html: row.html_body, text: row.text_body };
  try {
    return renderTemplate(JSON.parse(row.template) as MailTemplate);
  } catch (error) {
    return { html: '', text: '', renderError: error instanceof Error ? error.message : String(error) };
  }
}
