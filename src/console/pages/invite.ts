import type { Services } from '../../app/services.js';
import { can } from '../../auth/guards.js';
import { parseQueryOptions } from '../../graph/odata/index.js';
import { groupEntity } from '../../groups/entity.js';
import { addGroupMember, listGroupsFor } from '../../groups/service.js';
import { invitationBody } from '../../invitations/schemas.js';
import { invite } from '../../invitations/service.js';
import type { PortalContext } from '../../portal/context.js';
import { html, type SafeHtml } from '../../web/html.js';
import { fill, portalDictionaryOf } from '../../web/i18n/index.js';
import { field, fieldList, formErrorOf } from '../form-errors.js';
import { consolePage, formBasics } from '../frame.js';
import { mayOpen, sectionOf } from '../sections.js';
import { formError } from './tables.js';

type Fields = Record<string, unknown>;

/** Where the form lives: the console (default) or My Apps, which frames it itself and posts elsewhere. */
export interface InviteSurface {
  action?: string;
  frame?: (title: string, body: SafeHtml) => string;
}

/** The form's fields as POST /v1.0/invitations takes them: the same schema, the same service. */
export function invitationFromForm(body: Fields) {
  const message = field(body, 'message');
  const language = field(body, 'language').trim();
  const cc = field(body, 'cc').trim();
  const sponsors = fieldList(body, 'sponsors');
  return invitationBody.parse({
    invitedUserEmailAddress: field(body, 'email'),
    inviteRedirectUrl: field(body, 'redirectUrl'),
    ...(field(body, 'displayName').trim() && { invitedUserDisplayName: field(body, 'displayName') }),
    sendInvitationMessage: field(body, 'send') === 'on',
    invitedUserMessageInfo: {
      ...(message.trim() && { customizedMessageBody: message }),
      ...(language && { messageLanguage: language }),
      ...(cc && { ccRecipients: [{ emailAddress: { address: cc } }] }),
    },
    invitedUserType: field(body, 'type') === 'Member' ? 'Member' : 'Guest',
    ...(sponsors.length > 0 && { invitedUserSponsors: sponsors.map((id) => ({ id })) }),
  });
}

/** Every field of the API, plus groups to add the guest to (when the person may change memberships). */
export async function invitePage(
  services: Services,
  ctx: PortalContext,
  input: { values?: Fields; error?: string; restored?: boolean } & InviteSurface,
) {
  const t = portalDictionaryOf(ctx.lang);
  const v = input.values ?? {};
  const groups = can(ctx.principal, 'writeGroupMembers')
    ? (
        await listGroupsFor(
          services,
          ctx.principal,
          parseQueryOptions({ $top: '200', $orderby: 'displayName' }, groupEntity),
        )
      ).items
    : [];
  const chosen = new Set(fieldList(v, 'groups'));
  const action = input.action ?? `${ctx.base}/invite`;
  const text = (name: string, label: string, type = 'text', extra = '') =>
    html`<label for="${name}">${label}</label><input type="${type}" id="${name}" name="${name}" value="${field(v, name)}"${extra === 'required' ? html` required` : ''}>`;
  const administrator =
    can(ctx.principal, 'administerInvitations') && ctx.principal.directoryRoles.length > 0;
  const frame = input.frame ?? ((title, body) => consolePage(ctx, { title, section: 'invite', body }));
  return frame(
    t.inviteTitle,
    html`<h1>${t.inviteTitle}</h1>
${input.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${formError(t, input.error)}
<form method="post" action="${action}">${formBasics(ctx, action)}
${text('email', t.inviteEmail, 'email', 'required')}
${text('displayName', t.inviteDisplayName)}
${text('redirectUrl', t.inviteRedirect, 'url', 'required')}
<label class="check"><input type="checkbox" name="send"${field(v, 'send') === 'on' || !input.values ? html` checked` : ''}> ${t.inviteSend}</label>
<label for="message">${t.inviteMessage}</label><textarea id="message" name="message" rows="4">${field(v, 'message')}</textarea>
${text('language', t.inviteLanguage)}
${text('cc', t.inviteCc, 'email')}
${
  administrator
    ? html`<label for="type">${t.inviteType}</label><select id="type" name="type">
<option value="Guest">${t.inviteTypeGuest}</option><option value="Member"${field(v, 'type') === 'Member' ? html` selected` : ''}>${t.inviteTypeMember}</option></select>`
    : ''
}
<label for="sponsors">${t.inviteSponsors}</label><textarea id="sponsors" name="sponsors" rows="2">${field(v, 'sponsors')}</textarea>
${
  groups.length > 0
    ? html`<fieldset><legend>${t.inviteGroups}</legend>${groups.map(
        (g) =>
          html`<label class="check"><input type="checkbox" name="groups" value="${g.id}"${chosen.has(g.id) ? html` checked` : ''}> ${g.displayName}</label>`,
      )}</fieldset>`
    : ''
}
<div class="actions"><button type="submit">${t.inviteButton}</button></div>
</form>`,
  );
}

/** POST: the invitation through the service, then the chosen groups; a refusal shows the form again, filled. */
export async function submitInvite(
  services: Services,
  ctx: PortalContext,
  body: Fields,
  surface: InviteSurface = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  try {
    const invitation = await invite(services, ctx.principal, invitationFromForm(body));
    for (const groupId of fieldList(body, 'groups')) {
      await addGroupMember(services, ctx.principal, groupId, invitation.invitedUser.id).catch(
        (error: unknown) => {
          // Already a member (a re-invitation) is fine; anything else is the person's to see.
          if (!(error instanceof Error && /already/i.test(error.message))) throw error;
        },
      );
    }
    const frame =
      surface.frame ??
      ((title: string, page: SafeHtml) => consolePage(ctx, { title, section: 'invite', body: page }));
    const userLink = mayOpen(ctx.principal, sectionOf('users'))
      ? html`<a href="${ctx.base}/users/${invitation.invitedUser.id}">${invitation.invitedUserEmailAddress}</a> · `
      : '';
    return {
      status: 200,
      page: frame(
        t.invitedTitle,
        html`<h1>${t.invitedTitle}</h1>
<p class="notice" role="status">${fill(t.invitedText, { email: invitation.invitedUserEmailAddress })}</p>
<p class="secret">${invitation.inviteRedeemUrl}</p>
<p>${userLink}<a href="${surface.action ?? `${ctx.base}/invite`}">${t.inviteAnother}</a></p>`,
      ),
    };
  } catch (error) {
    const refused = formErrorOf(error);
    return {
      status: refused.status,
      page: await invitePage(services, ctx, {
        values: body,
        error: refused.message,
        ...surface,
      }),
    };
  }
}
