import * as z from 'zod';
import { headerSafe, type MailAddress } from './headers.js';
import type { NewMail } from './outbox-store.js';
import { type InvitationMailInput, invitationLinks, invitationMailSubject } from './templates/invitation.js';
import { type MailLanguageCandidates, resolveMailLanguage } from './templates/languages.js';

export interface InvitationMailRequest {
  tenantId: string;
  kind?: 'invitation' | 'reminder';
  to: MailAddress;
  /** invitedUserMessageInfo.ccRecipients (Graph allows one). */
  cc?: MailAddress[];
  /** The inviter's mail, for Reply-To; null for app-only senders. */
  inviterMail?: string | null;
  content: InvitationMailInput;
  languages: MailLanguageCandidates;
  /** The invitation id: lets its mails be found, and (with the ticket generation) deduplicated. */
  relatedId?: string | null;
  correlationId?: string | null;
  dedupeKey?: string | null;
}

const emailSchema = z.email();

/**
 * The invitation (or reminder) mail of PRODUCT §4.4, ready for enqueueMail: localized by the §4.4
 * precedence, From "{inviter} via Foyer" at the instance address, Reply-To the inviter when it is a user.
 * Its bodies are left to the mail worker: the mail carries its template (src/mail/templated.ts), with the
 * content and language decided now, at invitation time.
 */
export function composeInvitationMail(request: InvitationMailRequest): NewMail {
  const language = resolveMailLanguage(request.languages);
  const kind = request.kind ?? 'invitation';
  // Checked now, as rendering would have: a bad link must fail the request, not the worker later.
  invitationLinks(request.content);
  const inviterName = headerSafe(request.content.inviterName, 150);
  const replyTo =
    request.inviterMail && emailSchema.safeParse(request.inviterMail).success
      ? { address: request.inviterMail, name: inviterName }
      : null;
  return {
    tenantId: request.tenantId,
    category: request.kind === 'reminder' ? 'invitation.reminder' : 'invitation',
    to: [request.to],
    cc: request.cc ?? [],
    fromName: `${inviterName} via Foyer`,
    replyTo,
    subject: invitationMailSubject(request.content, language, kind),
    template: {
      name: kind === 'reminder' ? 'invitation.reminder' : 'invitation',
      language,
      content: request.content,
    },
    language,
    headers: { 'Content-Language': language },
    relatedId: request.relatedId ?? null,
    correlationId: request.correlationId ?? null,
    dedupeKey: request.dedupeKey ?? null,
  };
}
