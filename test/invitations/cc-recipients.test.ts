import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInvitationDeadlines } from '../../src/invitations/deadlines.js';
import type { TestApp } from '../helpers/build-test-app.js';
import { type MailingApp, mailingTestApp } from '../helpers/build-test-app.js';
import { DAY_MS, movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import type { GraphClient } from '../helpers/graph.js';
import type { SmtpCatcher } from '../helpers/smtp-catcher.js';
import { invitation, isLiveRedeemUrl, linksOf, mailsTo, outboxTo } from './support.js';

/** A cc copy is the invitation mail sent to one more address: the same refusals apply to it. */
describe.each(testDialects())('ccRecipients on %s', (dialect) => {
  const clock = movableClock();
  let mailing: MailingApp;
  let catcher: SmtpCatcher;
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    mailing = await mailingTestApp(dialect, { clock });
    ({ catcher, t, admin } = mailing);
  });
  afterAll(() => mailing.close());

  const withCc = (email: string, cc: string, extra: Record<string, unknown> = {}) =>
    invitation(email, {
      sendInvitationMessage: true,
      invitedUserMessageInfo: { ccRecipients: [{ emailAddress: { address: cc } }] },
      ...extra,
    });

  async function guestCount(email: string): Promise<number> {
    const list = await admin.get(`/v1.0/users?$filter=mail eq '${email}'&$count=true`);
    return list.json()['@odata.count'];
  }

  it('a cc address in a denied domain makes the request a 400, and nothing is created or queued', async () => {
    const policy = { invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['rival.example'] } };
    expect((await admin.patch('/v1.0/policies/b2bManagementPolicy', policy)).statusCode).toBe(204);
    try {
      const response = await admin.post('/v1.0/invitations', withCc('ok@fabrikam.com', 'spy@Rival.example'));
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('Request_InvitationDomainNotAllowed');
      expect(await guestCount('ok@fabrikam.com')).toBe(0);
      expect(await outboxTo(t, 'spy@rival.example')).toEqual([]);
    } finally {
      const cleared = { invitationsAllowedAndBlockedDomainsPolicy: {} };
      await admin.patch('/v1.0/policies/b2bManagementPolicy', cleared);
    }
  });

  it('a cc address outside the allow list is refused as the invitee’s would be', async () => {
    const policy = { invitationsAllowedAndBlockedDomainsPolicy: { allowedDomains: ['fabrikam.com'] } };
    expect((await admin.patch('/v1.0/policies/b2bManagementPolicy', policy)).statusCode).toBe(204);
    try {
      const response = await admin.post(
        '/v1.0/invitations',
        withCc('in@fabrikam.com', 'out@elsewhere.example'),
      );
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('Request_InvitationDomainNotAllowed');
    } finally {
      const cleared = { invitationsAllowedAndBlockedDomainsPolicy: {} };
      await admin.patch('/v1.0/policies/b2bManagementPolicy', cleared);
    }
  });

  /** The address is invited with a mail, and blocks the organisation from that mail's link. */
  async function blockedBy(address: string) {
    await admin.post('/v1.0/invitations', { ...invitation(address), sendInvitationMessage: true });
    await mailing.worker.drain();
    const own = mailsTo(catcher.messages, address).at(-1);
    if (!own) throw new Error(`no mail for ${address}`);
    const fields = new URL(linksOf(own).block).searchParams;
    fields.set('blocked', 'true');
    const blocked = await t.app.inject({
      method: 'POST',
      url: '/invitations/block',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: fields.toString(),
    });
    expect(blocked.statusCode).toBe(200);
  }

  it('a cc address that blocked this organisation is refused: on invite, reset and resend', async () => {
    await blockedBy('carol@fabrikam.com');
    const before = (await outboxTo(t, 'carol@fabrikam.com')).length;

    const invited = await admin.post('/v1.0/invitations', withCc('dave@fabrikam.com', 'CAROL@fabrikam.com'));
    expect(invited.statusCode).toBe(400);
    expect(invited.json().error).toMatchObject({
      code: 'Request_InvitationBlockedByRecipient',
      message:
        "The cc recipient 'CAROL@fabrikam.com' has asked not to receive invitations from this organization.",
    });
    expect(await guestCount('dave@fabrikam.com')).toBe(0);

    const erin = (await admin.post('/v1.0/invitations', invitation('erin@fabrikam.com'))).json();
    const reset = await admin.post(
      '/v1.0/invitations',
      withCc('erin@fabrikam.com', 'carol@fabrikam.com', {
        resetRedemption: true,
        invitedUser: { id: erin.invitedUser.id },
      }),
    );
    expect(reset.statusCode).toBe(400);
    expect(reset.json().error.code).toBe('Request_InvitationBlockedByRecipient');
    expect((await outboxTo(t, 'carol@fabrikam.com')).length).toBe(before);
  });

  it('resend re-checks the stored cc address against the policy of today', async () => {
    const created = (
      await admin.post('/v1.0/invitations', withCc('fay@fabrikam.com', 'boss@later.example'))
    ).json();
    const policy = { invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['later.example'] } };
    expect((await admin.patch('/v1.0/policies/b2bManagementPolicy', policy)).statusCode).toBe(204);
    try {
      const resent = await admin.post(`/v1.0/invitations/${created.id}/resend`);
      expect(resent.statusCode).toBe(400);
      expect(resent.json().error.code).toBe('Request_InvitationDomainNotAllowed');
    } finally {
      const cleared = { invitationsAllowedAndBlockedDomainsPolicy: {} };
      await admin.patch('/v1.0/policies/b2bManagementPolicy', cleared);
    }
  });

  it('concurrent re-invites leave one queued mail per recipient, carrying the live ticket', async () => {
    const body = withCc('race@fabrikam.com', 'race-boss@fabrikam.com');
    const first = (await admin.post('/v1.0/invitations', body)).json();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => admin.post('/v1.0/invitations', body)),
    );
    const statuses = new Set(answers.map((a) => a.statusCode));
    // Every answer is a success or the documented conflict after repeated lost races, never a 500.
    expect(
      [...statuses].every((s) => s === 201 || s === 409),
      [...statuses].join(),
    ).toBe(true);

    for (const address of ['race@fabrikam.com', 'race-boss@fabrikam.com']) {
      const queued = (await outboxTo(t, address)).filter((m) => m.status === 'pending');
      expect(queued, address).toHaveLength(1);
      const link = /https:\/\/foyer\.test\/redeem\?ticket=[A-Za-z0-9_-]+/.exec(
        queued[0]?.text_body ?? '',
      )?.[0];
      expect(link && (await isLiveRedeemUrl(t, first.id, link)), address).toBe(true);
    }
  });

  it('a reminder’s cc copy honours a block the cc address made after the invitation', async () => {
    const policyUrl = '/v1.0/policies/b2bManagementPolicy';
    expect((await admin.patch(policyUrl, { invitationReminderDays: [1] })).statusCode).toBe(204);
    try {
      await admin.post('/v1.0/invitations', withCc('hal@fabrikam.com', 'ida@fabrikam.com'));
      await mailing.worker.drain();
      await blockedBy('ida@fabrikam.com');
      clock.advance(DAY_MS + 60_000);
      expect((await processInvitationDeadlines(t.app.services)).reminded).toBeGreaterThanOrEqual(1);
      await mailing.worker.drain();
      const reminders = (address: string) =>
        mailsTo(catcher.messages, address).filter((m) => m.parsed.subject?.startsWith('Reminder: '));
      expect(reminders('hal@fabrikam.com')).toHaveLength(1);
      expect(reminders('ida@fabrikam.com')).toEqual([]);
    } finally {
      clock.reset();
      await admin.patch(policyUrl, { invitationReminderDays: [] });
    }
  });
});
