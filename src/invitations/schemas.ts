import { domainToASCII, domainToUnicode } from 'node:url';
import * as z from 'zod';

/**
 * An email as Graph accepts it for invitedUserEmailAddress: an ASCII local part and a domain that may be
 * internationalised (checked in its punycode form). Stored as given, except that a non-ASCII domain is put in
 * its canonical Unicode form: look-alikes such as full-width ｃｏｎｔｏｓｏ.com become contoso.com, so domain
 * policy, blocks and the one-guest-per-address rule see the address a mail server would deliver to.
 * Compared case-insensitively everywhere.
 */
export const invitedEmail = z
  .string()
  .trim()
  .max(254)
  .transform((value, ctx) => {
    const at = value.lastIndexOf('@');
    const local = value.slice(0, at);
    const domain = value.slice(at + 1);
    const ascii = at > 0 ? domainToASCII(domain) : '';
    if (!ascii || !z.email().safeParse(`${local}@${ascii}`).success) {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not a valid email address` });
      return z.NEVER;
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: "is it pure ASCII" is the question
    return /^[\x00-\x7f]*$/.test(domain) ? value : `${local}@${domainToUnicode(ascii)}`;
  });

const language = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as fr-FR');

/**
 * An absolute http(s) URL, stored and returned in its parsed, normalised form. Control characters are refused
 * rather than silently dropped by the URL parser: a CR/LF/TAB in a redirect target is an attack or a mistake.
 */
export const redirectUrl = z
  .string()
  .max(2048)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { message: 'must not contain control characters' })
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an absolute http or https URL',
  })
  .transform((value) => {
    const url = new URL(value);
    // A bare origin stays as given (Graph echoes "https://myapp.contoso.com"), only without the root slash.
    const bareOrigin = url.pathname === '/' && !url.search && !url.hash && !/\/[?#]?$/.test(value.trim());
    return bareOrigin ? url.href.slice(0, -1) : url.href;
  });

const recipient = z
  .object({
    emailAddress: z
      .object({ address: invitedEmail, name: z.string().max(256).nullable().optional() })
      .strict(),
  })
  .strict();

const reference = z.object({ id: z.uuid({ message: 'must be a user object id' }) }).strict();

/** POST /invitations (https://learn.microsoft.com/graph/api/invitation-post). Unknown properties are a 400. */
export const invitationBody = z
  .object({
    invitedUserEmailAddress: invitedEmail,
    inviteRedirectUrl: redirectUrl,
    invitedUserDisplayName: z.string().trim().min(1).max(256).nullable().optional(),
    sendInvitationMessage: z.boolean().default(false),
    invitedUserMessageInfo: z
      .object({
        customizedMessageBody: z
          .string()
          .max(10_000, 'must be at most 10,000 characters')
          .nullable()
          .optional(),
        messageLanguage: language.nullable().optional(),
        ccRecipients: z.array(recipient).max(1, 'at most one cc recipient is supported').optional(),
      })
      .strict()
      .optional(),
    invitedUserType: z.enum(['Guest', 'Member']).default('Guest'),
    resetRedemption: z.boolean().default(false),
    invitedUser: reference.optional(),
    invitedUserSponsors: z.array(reference).max(5).optional(),
  })
  .strict();
export type InvitationBody = z.infer<typeof invitationBody>;

export const messageInfo = z.object({
  customizedMessageBody: z.string().nullable(),
  messageLanguage: z.string().nullable(),
  ccRecipients: z.array(
    z.object({ emailAddress: z.object({ address: z.string(), name: z.string().nullable() }) }),
  ),
});
export type MessageInfo = z.infer<typeof messageInfo>;

export const invitationResource = z.object({
  '@odata.context': z.string(),
  id: z.string(),
  inviteRedeemUrl: z.string(),
  invitedUserDisplayName: z.string().nullable(),
  invitedUserEmailAddress: z.string(),
  invitedUserType: z.string(),
  inviteRedirectUrl: z.string(),
  sendInvitationMessage: z.boolean(),
  invitedUserMessageInfo: messageInfo,
  resetRedemption: z.boolean(),
  status: z.string(),
  invitedUser: z.object({ id: z.string() }),
});
export type InvitationResource = z.infer<typeof invitationResource>;

export const invitationIdParams = z.object({ id: z.uuid({ message: 'must be an invitation id' }) });
