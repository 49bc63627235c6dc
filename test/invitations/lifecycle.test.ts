import type { KyselyPlugin } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InvitationStatus } from '../../src/db/schema.js';
import { FoyerError } from '../../src/errors/catalogue.js';
import { processInvitationDeadlines } from '../../src/invitations/deadlines.js';
import { graphStatus, type InvitationEvent, nextState, sourcesOf } from '../../src/invitations/lifecycle.js';
import { transition } from '../../src/invitations/store.js';
import type { MailWorker } from '../../src/mail/worker.js';
import {
  type MailingApp,
  mailingTestApp,
  provisionOtherTenant,
  type TestApp,
} from '../helpers/build-test-app.js';
import { DAY_MS, movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import type { GraphClient } from '../helpers/graph.js';
import { callerFor } from '../helpers/graph.js';
import type { SmtpCatcher } from '../helpers/smtp-catcher.js';
import {
  auditEntries,
  invitation,
  invitationRow,
  isLiveRedeemUrl,
  linksOf,
  mailsTo,
  outboxTo,
} from './support.js';

const statuses: InvitationStatus[] = ['PendingAcceptance', 'Accepted', 'Revoked', 'Expired'];
const events: InvitationEvent[] = ['redeem', 'resend', 'reinvite', 'reset', 'revoke', 'expire'];

/** PRODUCT §4.2, written out: every allowed transition; everything else is refused. */
const allowed: Record<InvitationEvent, Partial<Record<InvitationStatus, InvitationStatus>>> = {
  redeem: { PendingAcceptance: 'Accepted' },
  resend: { PendingAcceptance: 'PendingAcceptance', Accepted: 'Accepted' },
  reinvite: { Revoked: 'PendingAcceptance', Expired: 'PendingAcceptance' },
  reset: {
    PendingAcceptance: 'PendingAcceptance',
    Accepted: 'PendingAcceptance',
    Revoked: 'PendingAcceptance',
    Expired: 'PendingAcceptance',
  },
  revoke: { PendingAcceptance: 'Revoked' },
  expire: { PendingAcceptance: 'Expired' },
};

describe('the invitation state machine (pure)', () => {
  for (const event of events) {
    for (const status of statuses) {
      const target = allowed[event][status];
      if (target) {
        it(`${event} from ${status} → ${target}`, () => expect(nextState(status, event)).toBe(target));
      } else {
        it(`${event} from ${status} is refused with 409 Request_InvitationStateConflict`, () => {
          let thrown: unknown;
          try {
            nextState(status, event);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(FoyerError);
          expect(thrown).toMatchObject({ status: 409, code: 'Request_InvitationStateConflict' });
        });
      }
    }
  }

  it('sourcesOf is exactly the states an event may start from (the guard of the conditional UPDATE)', () => {
    for (const event of events) {
      expect(new Set(sourcesOf(event)), event).toEqual(new Set(Object.keys(allowed[event])));
    }
    expect(sourcesOf('revoke')).toEqual(['PendingAcceptance']);
    expect(new Set(sourcesOf('reinvite'))).toEqual(new Set(['Revoked', 'Expired']));
  });

  it('reads as Graph’s invitation.status: Completed once redeemed', () => {
    expect(graphStatus('Accepted')).toBe('Completed');
    expect(graphStatus('PendingAcceptance')).toBe('PendingAcceptance');
  });
});

describe.each(testDialects())('invitation lifecycle on %s', (dialect) => {
  const clock = movableClock();
  let mailing: MailingApp;
  let catcher: SmtpCatcher;
  let t: TestApp;
  let admin: GraphClient;
  let worker: MailWorker;

  beforeAll(async () => {
    mailing = await mailingTestApp(dialect, { clock });
    ({ catcher, t, admin, worker } = mailing);
  });
  afterEach(() => clock.reset());
  afterAll(() => mailing.close());

  describe('resend', () => {
    it('rotates the ticket (the old link dies), mails the new one and is audited', async () => {
      const first = (await admin.post('/v1.0/invitations', invitation('rhea@fabrikam.com'))).json();
      const resent = await admin.post(`/v1.0/invitations/${first.id}/resend`);
      expect(resent.statusCode).toBe(200);
      expect(resent.json()).toMatchObject({
        id: first.id,
        status: 'PendingAcceptance',
        sendInvitationMessage: true,
        invitedUser: { id: first.invitedUser.id },
      });
      const { inviteRedeemUrl } = resent.json();
      expect(inviteRedeemUrl).not.toBe(first.inviteRedeemUrl);
      expect(await isLiveRedeemUrl(t, first.id, inviteRedeemUrl)).toBe(true);
      expect(await isLiveRedeemUrl(t, first.id, first.inviteRedeemUrl)).toBe(false);

      await worker.drain();
      const received = mailsTo(catcher.messages, 'rhea@fabrikam.com');
      expect(received).toHaveLength(1);
      expect(linksOf(received[0]!).redeem).toBe(inviteRedeemUrl);

      const [entry] = await auditEntries(admin, 'Resend invitation to external user');
      expect(entry?.targetResources[0]?.id).toBe(first.invitedUser.id);
    });

    it('is 404 for an unknown id or another tenant’s invitation, 400 for a malformed id', async () => {
      const fabrikam = await callerFor(t, await provisionOtherTenant(t, 'Fabrikam'));
      const theirs = (await fabrikam.post('/v1.0/invitations', invitation('theirs@fabrikam.com'))).json();
      for (const id of ['00000000-0000-4000-8000-000000000000', theirs.id]) {
        const response = await admin.post(`/v1.0/invitations/${id}/resend`);
        expect(response.statusCode).toBe(404);
        expect(response.json().error.code).toBe('Request_ResourceNotFound');
        const revoke = await admin.post(`/v1.0/invitations/${id}/revoke`);
        expect(revoke.statusCode).toBe(404);
      }
      const untouched = await t.app.services.db
        .selectFrom('invitations')
        .select('status')
        .where('id', '=', theirs.id)
        .executeTakeFirstOrThrow();
      expect(untouched.status).toBe('PendingAcceptance');
      expect((await admin.post('/v1.0/invitations/not-an-id/resend')).statusCode).toBe(400);
      expect(await outboxTo(t, 'theirs@fabrikam.com')).toEqual([]);
    });
  });

  describe('revoke', () => {
    it('kills the link but keeps the guest; a new invitation revives it with a new link', async () => {
      const first = (await admin.post('/v1.0/invitations', invitation('ivan@fabrikam.com'))).json();
      const revoked = await admin.post(`/v1.0/invitations/${first.id}/revoke`);
      expect(revoked.statusCode).toBe(204);
      expect((await invitationRow(t, first.id)).status).toBe('Revoked');

      for (const action of ['revoke', 'resend']) {
        const response = await admin.post(`/v1.0/invitations/${first.id}/${action}`);
        expect(response.statusCode, action).toBe(409);
        expect(response.json().error.code).toBe('Request_InvitationStateConflict');
      }
      const guest = await admin.get(`/v1.0/users/${first.invitedUser.id}?$select=externalUserState`);
      expect(guest.statusCode).toBe(200);

      const again = (await admin.post('/v1.0/invitations', invitation('ivan@fabrikam.com'))).json();
      expect(again).toMatchObject({
        id: first.id,
        status: 'PendingAcceptance',
        invitedUser: { id: first.invitedUser.id },
      });
      expect(await isLiveRedeemUrl(t, first.id, again.inviteRedeemUrl)).toBe(true);
      const [entry] = await auditEntries(admin, 'Revoke invitation to external user');
      expect(entry?.targetResources[0]?.id).toBe(first.invitedUser.id);
    });

    it('cannot revoke a redeemed invitation; inviting a redeemed guest answers Completed', async () => {
      const first = (await admin.post('/v1.0/invitations', invitation('judy@fabrikam.com'))).json();
      // Redemption itself is not built yet: apply its transition through the store, as the redemption flow will.
      const row = await invitationRow(t, first.id);
      expect(
        await transition(t.app.services.db, t.tenant.tenantId, row, 'redeem', {
          redeemed_at: clock.now().toISOString(),
        }),
      ).toBe('Accepted');

      const revoke = await admin.post(`/v1.0/invitations/${first.id}/revoke`);
      expect(revoke.statusCode).toBe(409);
      const again = await admin.post('/v1.0/invitations', invitation('judy@fabrikam.com'));
      expect(again.statusCode).toBe(201);
      expect(again.json()).toMatchObject({ status: 'Completed', invitedUser: { id: first.invitedUser.id } });
    });
  });

  it('guarded updates: of two concurrent redemptions of one invitation exactly one wins', async () => {
    const first = (await admin.post('/v1.0/invitations', invitation('kim@fabrikam.com'))).json();
    const stale = await invitationRow(t, first.id);
    const results = await Promise.all(
      [1, 2].map(() =>
        transition(t.app.services.db, t.tenant.tenantId, stale, 'redeem', {
          redeemed_at: clock.now().toISOString(),
        }),
      ),
    );
    expect(results.filter((r) => r === 'Accepted')).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
    // Stale revokes and resends after the redemption lose too. A resend is allowed from Accepted as well, so
    // only a guard on the exact state it was computed from keeps it from writing PendingAcceptance back over
    // the redemption (the race of a resend, a reminder or a re-invitation with the guest accepting).
    expect(await transition(t.app.services.db, t.tenant.tenantId, stale, 'revoke', {})).toBeUndefined();
    const resent = await transition(t.app.services.db, t.tenant.tenantId, stale, 'resend', {
      ticket_hash: 'stale-resend',
    });
    expect(resent).toBeUndefined();
    expect(await invitationRow(t, first.id)).toMatchObject({
      status: 'Accepted',
      ticket_hash: stale.ticket_hash,
    });
  });

  it('concurrent invitations of one new address create one guest', async () => {
    const responses = await Promise.all(
      [1, 2, 3, 4].map(() => admin.post('/v1.0/invitations', invitation('race@fabrikam.com'))),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(responses.map((r) => r.json().invitedUser.id)).size).toBe(1);
    const list = (await admin.get("/v1.0/users?$filter=mail eq 'race@fabrikam.com'&$count=true")).json();
    expect(list['@odata.count']).toBe(1);
    // The last answer's link is the live one; the others died with it.
    const live = await Promise.all(
      responses.map((r) => isLiveRedeemUrl(t, r.json().id, r.json().inviteRedeemUrl)),
    );
    expect(live.filter(Boolean)).toHaveLength(1);
  });

  describe('expiry and reminders (per tenant, off by default)', () => {
    it('nothing expires and no reminder goes out by default', async () => {
      const created = (
        await admin.post('/v1.0/invitations', {
          ...invitation('forever@fabrikam.com'),
          sendInvitationMessage: true,
        })
      ).json();
      expect((await invitationRow(t, created.id)).expires_at).toBeNull();
      clock.advance(400 * DAY_MS);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 0 });
      expect((await invitationRow(t, created.id)).status).toBe('PendingAcceptance');
      expect(await outboxTo(t, 'forever@fabrikam.com')).toHaveLength(1);
    });

    it('a tenant with invitationExpiryDays expires its pending invitations once the deadline passes', async () => {
      const northwind = await provisionOtherTenant(t, 'Northwind');
      const caller = await callerFor(t, northwind);
      expect(
        (await caller.patch('/v1.0/policies/b2bManagementPolicy', { invitationExpiryDays: 7 })).statusCode,
      ).toBe(204);
      const created = (await caller.post('/v1.0/invitations', invitation('olga@fabrikam.com'))).json();
      const rowOf = () =>
        t.app.services.db
          .selectFrom('invitations')
          .selectAll()
          .where('id', '=', created.id)
          .executeTakeFirstOrThrow();
      const expiresAt = Date.parse((await rowOf()).expires_at ?? '');
      expect(Math.abs(expiresAt - (Date.now() + 7 * DAY_MS))).toBeLessThan(60_000);

      clock.advance(6 * DAY_MS);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 0 });
      expect((await rowOf()).status).toBe('PendingAcceptance');
      clock.advance(2 * DAY_MS);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 1, reminded: 0 });
      expect((await rowOf()).status).toBe('Expired');
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 0 });

      // Back to real time for the API (tokens are verified with the app's clock).
      clock.reset();
      const resend = await caller.post(`/v1.0/invitations/${created.id}/resend`);
      expect(resend.statusCode).toBe(409);
      const [entry] = await auditEntries(caller, 'Invitation to external user expired');
      expect(entry).toMatchObject({
        targetResources: [{ id: created.invitedUser.id }],
        initiatedBy: { app: null },
      });

      const again = (await caller.post('/v1.0/invitations', invitation('olga@fabrikam.com'))).json();
      expect(again).toMatchObject({ id: created.id, status: 'PendingAcceptance' });
      const renewedAt = Date.parse((await rowOf()).expires_at ?? '');
      expect(renewedAt).toBeGreaterThan(expiresAt);
      // A resend of a pending invitation gives it a full lifetime again, like a new invitation.
      const soon = new Date(Date.now() + DAY_MS).toISOString();
      await t.app.services.db
        .updateTable('invitations')
        .set({ expires_at: soon })
        .where('id', '=', created.id)
        .execute();
      expect((await caller.post(`/v1.0/invitations/${created.id}/resend`)).statusCode).toBe(200);
      expect(Math.abs(Date.parse((await rowOf()).expires_at ?? '') - (Date.now() + 7 * DAY_MS))).toBeLessThan(
        60_000,
      );
      expect(renewedAt).toBeGreaterThan(expiresAt);
      // Leave nothing pending with a deadline for the other tests' clock jumps.
      expect((await caller.post(`/v1.0/invitations/${created.id}/revoke`)).statusCode).toBe(204);
    });

    it('reminders go out per invitationReminderDays, with a reminder subject and a fresh link', async () => {
      const tailspin = await provisionOtherTenant(t, 'Tailspin');
      const caller = await callerFor(t, tailspin);
      expect(
        (await caller.patch('/v1.0/policies/b2bManagementPolicy', { invitationReminderDays: [5, 2] }))
          .statusCode,
      ).toBe(204);
      const created = (
        await caller.post('/v1.0/invitations', {
          ...invitation('pat@fabrikam.com'),
          sendInvitationMessage: true,
        })
      ).json();
      const withoutMail = (await caller.post('/v1.0/invitations', invitation('nomail@fabrikam.com'))).json();
      const revoked = (
        await caller.post('/v1.0/invitations', {
          ...invitation('gone@fabrikam.com'),
          sendInvitationMessage: true,
        })
      ).json();
      await caller.post(`/v1.0/invitations/${revoked.id}/revoke`);
      await worker.drain();
      expect(mailsTo(catcher.messages, 'pat@fabrikam.com')).toHaveLength(1);

      clock.advance(DAY_MS);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 0 });
      clock.advance(DAY_MS + 60_000);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 1 });
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 0 });
      await worker.drain();
      const [original, reminder] = mailsTo(catcher.messages, 'pat@fabrikam.com');
      expect(reminder?.parsed.subject).toBe(
        'Reminder: Foyer automation invited you to access applications within their organization',
      );
      expect(reminder?.parsed.text).toContain('This is a reminder');
      const reminderLink = linksOf(reminder!).redeem;
      expect(reminderLink).not.toBe(linksOf(original!).redeem);
      const row = await t.app.services.db
        .selectFrom('invitations')
        .selectAll()
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('PendingAcceptance');
      expect(row.reminders_sent).toBe(1);

      clock.advance(3 * DAY_MS);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 1 });
      clock.advance(30 * DAY_MS);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 0 });
      await worker.drain();
      const all = mailsTo(catcher.messages, 'pat@fabrikam.com');
      expect(all.map((m) => m.parsed.subject?.startsWith('Reminder: '))).toEqual([false, true, true]);
      // No reminder for an invitation that was never mailed, nor for a revoked one.
      expect(mailsTo(catcher.messages, 'nomail@fabrikam.com')).toEqual([]);
      expect(mailsTo(catcher.messages, 'gone@fabrikam.com')).toHaveLength(1);
      expect(withoutMail.status).toBe('PendingAcceptance');

      clock.reset();
      expect(await auditEntries(caller, 'Send reminder to external user')).toHaveLength(2);
    });

    it('sends no reminder to an address the domain policy has refused since (its redemption would fail)', async () => {
      const litware = await provisionOtherTenant(t, 'Litware');
      const caller = await callerFor(t, litware);
      const policyUrl = '/v1.0/policies/b2bManagementPolicy';
      expect((await caller.patch(policyUrl, { invitationReminderDays: [1] })).statusCode).toBe(204);
      await caller.post('/v1.0/invitations', {
        ...invitation('late@denied.example'),
        sendInvitationMessage: true,
      });
      await caller.post('/v1.0/invitations', {
        ...invitation('late@fine.example'),
        sendInvitationMessage: true,
      });
      await worker.drain();
      const denyList = { invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['denied.example'] } };
      expect((await caller.patch(policyUrl, denyList)).statusCode).toBe(204);

      clock.advance(DAY_MS + 60_000);
      expect(await processInvitationDeadlines(t.app.services)).toEqual({ expired: 0, reminded: 1 });
      await worker.drain();
      expect(mailsTo(catcher.messages, 'late@denied.example')).toHaveLength(1);
      expect(mailsTo(catcher.messages, 'late@fine.example')).toHaveLength(2);
    });

    it('two deadline runs at once (every instance runs the job) remind once and expire once', async () => {
      const wingtip = await provisionOtherTenant(t, 'Wingtip');
      const caller = await callerFor(t, wingtip);
      const policy = { invitationReminderDays: [1], invitationExpiryDays: 3 };
      expect((await caller.patch('/v1.0/policies/b2bManagementPolicy', policy)).statusCode).toBe(204);
      await caller.post('/v1.0/invitations', {
        ...invitation('once@fabrikam.com'),
        sendInvitationMessage: true,
      });
      await worker.drain();

      const bothAtOnce = async () => {
        const runs = await Promise.all([
          processInvitationDeadlines(t.app.services),
          processInvitationDeadlines(t.app.services),
        ]);
        return { expired: runs[0].expired + runs[1].expired, reminded: runs[0].reminded + runs[1].reminded };
      };
      clock.advance(DAY_MS + 60_000);
      expect(await bothAtOnce()).toEqual({ expired: 0, reminded: 1 });
      clock.advance(2 * DAY_MS);
      expect(await bothAtOnce()).toEqual({ expired: 1, reminded: 0 });
      await worker.drain();
      expect(
        mailsTo(catcher.messages, 'once@fabrikam.com').map((m) => m.parsed.subject?.startsWith('Reminder: ')),
      ).toEqual([false, true]);
      clock.reset();
      expect(await auditEntries(caller, 'Send reminder to external user')).toHaveLength(1);
      expect(await auditEntries(caller, 'Invitation to external user expired')).toHaveLength(1);
    });

    it('reads only due invitations, at most batchSize expiries and reminders per tenant per run', async () => {
      const adatum = await provisionOtherTenant(t, 'Adatum');
      const caller = await callerFor(t, adatum);
      const policy = { invitationReminderDays: [4, 2], invitationExpiryDays: 10 };
      expect((await caller.patch('/v1.0/policies/b2bManagementPolicy', policy)).statusCode).toBe(204);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const created = await caller.post('/v1.0/invitations', {
          ...invitation(`batch${i}@fabrikam.com`),
          sendInvitationMessage: true,
        });
        expect(created.statusCode).toBe(201);
        ids.push(created.json().id);
      }
      const now = clock.now().getTime();
      const ago = (ms: number) => new Date(now - ms).toISOString();
      const set = (
        index: number,
        changes: { expires_at?: string; last_sent_at?: string; reminders_sent?: number },
      ) => t.app.services.db.updateTable('invitations').set(changes).where('id', '=', ids[index]!).execute();
      // Due: three expiries, two first reminders (after 2 days), one second reminder (after 4 days).
      for (const i of [0, 1, 2]) await set(i, { expires_at: ago(60_000) });
      for (const i of [3, 4]) await set(i, { last_sent_at: ago(2 * DAY_MS + 60_000) });
      await set(5, { last_sent_at: ago(4 * DAY_MS + 60_000), reminders_sent: 1 });
      // Not due: a second reminder too early, every reminder already sent, and six fresh invitations.
      await set(6, { last_sent_at: ago(3 * DAY_MS), reminders_sent: 1 });
      await set(7, { last_sent_at: ago(9 * DAY_MS), reminders_sent: 2 });

      // Counts the invitation rows of this tenant the job reads.
      let loaded: string[] = [];
      const counting: KyselyPlugin = {
        transformQuery: (args) => args.node,
        transformResult: async (args) => {
          for (const row of args.result.rows as Array<Record<string, unknown>>) {
            if ('ticket_hash' in row && row.tenant_id === adatum.tenantId) loaded.push(String(row.id));
          }
          return args.result;
        },
      };
      const services = { ...t.app.services, db: t.app.services.db.withPlugin(counting) };
      const run = async () => {
        loaded = [];
        const result = await processInvitationDeadlines(services, { batchSize: 2 });
        return { ...result, loaded: loaded.length };
      };
      expect(await run()).toEqual({ expired: 2, reminded: 2, loaded: 4 });
      expect(await run()).toEqual({ expired: 1, reminded: 1, loaded: 2 });
      expect(await run()).toEqual({ expired: 0, reminded: 0, loaded: 0 });

      const rows = await t.app.services.db
        .selectFrom('invitations')
        .select(['id', 'status', 'reminders_sent'])
        .where('tenant_id', '=', adatum.tenantId)
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(ids.map((id) => byId.get(id)?.status)).toEqual([
        ...Array(3).fill('Expired'),
        ...Array(9).fill('PendingAcceptance'),
      ]);
      expect(ids.map((id) => byId.get(id)?.reminders_sent)).toEqual([0, 0, 0, 1, 1, 2, 1, 2, 0, 0, 0, 0]);
      // The reminder replaced the invitation mail still queued: that one's link died with the new ticket.
      expect((await outboxTo(t, 'batch3@fabrikam.com')).map((m) => m.category)).toEqual([
        'invitation.reminder',
      ]);
      expect(await outboxTo(t, 'batch8@fabrikam.com')).toHaveLength(1);
    });
  });
});
