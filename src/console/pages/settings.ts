import type { Services } from '../../app/services.js';
import { readCollaborationSettings, saveCollaborationSettings } from '../../policies/editing.js';
import { allowInvitesFromValues, guestRoles } from '../../policies/schemas.js';
import type { PortalContext } from '../../portal/context.js';
import { html } from '../../web/html.js';
import { portalDictionaryOf } from '../../web/i18n/index.js';
import { field, fieldList, formErrorOf } from '../form-errors.js';
import { consolePage, formBasics } from '../frame.js';
import { formError } from './tables.js';

type Fields = Record<string, unknown>;

const inviteLabels = {
  none: 'invitesNone',
  adminsAndGuestInviters: 'invitesAdmins',
  adminsGuestInvitersAndAllMembers: 'invitesMembers',
  everyone: 'invitesEveryone',
} as const;

/** A number field: empty is "none", digits a number, anything else passed on for the schema to refuse. */
const days = (value: string): number | string | null => {
  const v = value.trim();
  if (v === '') return null;
  return /^\d+$/.test(v) ? Number(v) : v;
};

/** The form as the two policy patches (the same schemas validate them as the API's PATCH). */
export function settingsFromForm(body: Fields) {
  const mode = field(body, 'domainMode');
  const domains = fieldList(body, 'domains');
  const allowInvitesFrom = field(body, 'allowInvitesFrom');
  return {
    authorization: {
      ...((allowInvitesFromValues as readonly string[]).includes(allowInvitesFrom) && {
        allowInvitesFrom: allowInvitesFrom as (typeof allowInvitesFromValues)[number],
      }),
      ...(Object.values(guestRoles).includes(field(body, 'guestUserRoleId') as never) && {
        guestUserRoleId: field(body, 'guestUserRoleId') as (typeof guestRoles)[keyof typeof guestRoles],
      }),
    },
    b2b: {
      invitationsAllowedAndBlockedDomainsPolicy:
        mode === 'allow' ? { allowedDomains: domains } : mode === 'deny' ? { blockedDomains: domains } : {},
      emailOneTimePasscodeEnabled: field(body, 'otp') === 'on',
      guestsMayLeave: field(body, 'guestsMayLeave') === 'on',
      invitationExpiryDays: days(field(body, 'expiryDays')) as number | null,
      invitationReminderDays: field(body, 'reminderDays')
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map((d) => days(d)) as number[],
    },
  };
}

/** Collaboration settings (PRODUCT §5): who invites, guest access, domains, passcode, expiry, leaving. */
export async function settingsPage(
  services: Services,
  ctx: PortalContext,
  notice: { saved?: boolean; error?: string; conflict?: boolean; restored?: Fields } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const current = await readCollaborationSettings(services, ctx.principal);
  // Restored after a sign-in: the typed values over the stored ones, and the version they were typed against
  // (so a change made meanwhile by someone else is still caught on save).
  const typed = notice.restored ? settingsFromForm(notice.restored) : undefined;
  const s = typed
    ? {
        authorization: { ...current.authorization, ...typed.authorization },
        b2b: { ...current.b2b, ...typed.b2b },
        version: field(notice.restored, 'version'),
      }
    : current;
  const domains = s.b2b.invitationsAllowedAndBlockedDomainsPolicy;
  const mode = domains.allowedDomains?.length ? 'allow' : domains.blockedDomains?.length ? 'deny' : 'none';
  const self = `${ctx.base}/settings`;
  const option = (value: string, current: string, label: string) =>
    html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  const radio = (value: string, label: string) =>
    html`<label class="check"><input type="radio" name="domainMode" value="${value}"${mode === value ? html` checked` : ''}> ${label}</label>`;
  const check = (name: string, on: boolean, label: string) =>
    html`<label class="check"><input type="checkbox" name="${name}"${on ? html` checked` : ''}> ${label}</label>`;
  return consolePage(ctx, {
    title: t.settingsTitle,
    section: 'settings',
    body: html`<h1>${t.settingsTitle}</h1>
${notice.saved ? html`<p class="notice" role="status">${t.saved}</p>` : ''}
${notice.restored ? html`<p class="notice" role="status">${t.restoredNotice}</p>` : ''}
${notice.conflict ? html`<div class="error" role="alert"><p>${t.conflict}</p></div>` : formError(t, notice.error)}
<form method="post" action="${self}">${formBasics(ctx, self)}<input type="hidden" name="version" value="${s.version}">
<label for="allowInvitesFrom">${t.allowInvitesFrom}</label><select id="allowInvitesFrom" name="allowInvitesFrom">
${allowInvitesFromValues.map((v) => option(v, s.authorization.allowInvitesFrom, t[inviteLabels[v]]))}</select>
<label for="guestUserRoleId">${t.guestAccess}</label><select id="guestUserRoleId" name="guestUserRoleId">
${option(guestRoles.sameAsMembers, s.authorization.guestUserRoleId, t.guestSame)}${option(guestRoles.limited, s.authorization.guestUserRoleId, t.guestLimited)}${option(guestRoles.restricted, s.authorization.guestUserRoleId, t.guestRestricted)}</select>
<fieldset><legend>${t.domainMode}</legend>${radio('none', t.domainModeNone)}${radio('allow', t.domainModeAllow)}${radio('deny', t.domainModeDeny)}
<label for="domains">${t.domainList}</label><textarea id="domains" name="domains" rows="4">${(domains.allowedDomains ?? domains.blockedDomains ?? []).join('\n')}</textarea></fieldset>
${check('otp', s.b2b.emailOneTimePasscodeEnabled, t.otpEnabled)}
${check('guestsMayLeave', s.b2b.guestsMayLeave, t.allowLeave)}
<label for="expiryDays">${t.expiryDays}</label><input type="number" id="expiryDays" name="expiryDays" min="1" max="365" value="${s.b2b.invitationExpiryDays ?? ''}">
<label for="reminderDays">${t.reminderDays}</label><input type="text" id="reminderDays" name="reminderDays" value="${s.b2b.invitationReminderDays.join(', ')}">
<div class="actions"><button type="submit">${t.saveButton}</button></div>
</form>`,
  });
}

export async function submitSettings(
  services: Services,
  ctx: PortalContext,
  body: Fields,
  correlationId: string,
) {
  try {
    await saveCollaborationSettings(
      services,
      ctx.principal,
      { version: field(body, 'version'), ...settingsFromForm(body) },
      correlationId,
    );
    return { status: 200, page: await settingsPage(services, ctx, { saved: true }) };
  } catch (error) {
    const refused = formErrorOf(error);
    const conflict = refused.status === 412;
    return {
      status: conflict ? 409 : refused.status,
      page: await settingsPage(services, ctx, conflict ? { conflict } : { error: refused.message }),
    };
  }
}
