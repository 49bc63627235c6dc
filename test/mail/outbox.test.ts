import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { composeInvitationMail } from '../../src/mail/invitation-mail.js';
import { claimDueMail, failExhaustedLeases, markMailSent } from '../../src/mail/outbox-claims.js';
import { enqueueMail, findOutboxMail, type NewMail, outboxStatus } from '../../src/mail/outbox-store.js';
import { type MailTransport, smtpTransport } from '../../src/mail/transports.js';
import { MAIL_LEASE_MS, type MailWorker, startMailWorker } from '../../src/mail/worker.js';
import { type SmtpCatcher, startSmtpCatcher } from '../helpers/smtp-catcher.js';
import { MAIL_FROM, type MailTestDatabase, mailTestDialects, recordingLogger } from './support.js';

const FIFTEEN_MINUTES_AND_A_BIT = 15 * 60_000 + 1_000;

const TICKET = 'Q3vX_9k-2mYtR8pLwZa0bC1dE4fG5hI6jK7lM8nO9pQ';
const SIG = 'c2lnbmF0dXJl_-0123456789abcdef';
const REDEEM_URL = `https://foyer.test/redeem?ticket=${TICKET}`;
const BLOCK_URL = `https://foyer.test/invitations/block?tenant=t-1&invitation=i-1&sig=${SIG}`;

/** A mail carrying a live redeem link and block link in both parts. */
function mailWithLinks(tenantId: string, n: number): NewMail {
  return simpleMail(tenantId, n, {
    html: `<p><a href="${REDEEM_URL}">Accept</a> <a href="${BLOCK_URL.replaceAll('&', '&amp;')}">Block</a></p>`,
    text: `Accept: ${REDEEM_URL}\nBlock: ${BLOCK_URL}`,
  });
}

function simpleMail(
  tenantId: string,
  n: number,
  extra: Partial<Omit<NewMail, 'template'>> & { html?: string; text?: string } = {},
): NewMail {
  return {
    tenantId,
    category: 'test',
    to: [{ address: `guest${n}@fabrikam.com`, name: `Guest ${n}` }],
    subject: `Message ${n}`,
    html: `<p>Message ${n}</p>`,
    text: `Message ${n}`,
    language: 'en-US',
    ...extra,
  };
}

describe.each(mailTestDialects())('mail outbox on $name', (dialect) => {
  let t: MailTestDatabase;
  let catcher: SmtpCatcher;
  let transport: MailTransport;
  const workers: MailWorker[] = [];

  // Big pollMs: the tests drive the worker with drain(), the poll loop only runs once at start.
  const worker = (options: Parameters<typeof startMailWorker>[2] = {}) => {
    const started = startMailWorker(t.services, transport, {
      pollMs: 3_600_000,
      logger: recordingLogger(),
      ...options,
    });
    workers.push(started);
    return started;
  };
  const count = async () =>
    Number(
      (
        await t.services.db
          .selectFrom('mail_outbox')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    catcher = await startSmtpCatcher();
  });
  afterAll(async () => {
    await catcher.close();
  });
  beforeEach(async () => {
    t = await dialect.open({ smtpUrl: catcher.url });
    transport = smtpTransport(catcher.url);
    catcher.messages.length = 0;
    catcher.up();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await transport.close();
    await t.close();
  });

  it('enqueues within the caller transaction: a rollback loses the mail with the rest', async () => {
    await expect(
      t.services.db.transaction().execute(async (trx) => {
        await enqueueMail(trx, t.services, simpleMail(t.tenantId, 1));
        throw new Error('the invitation failed');
      }),
    ).rejects.toThrow('the invitation failed');
    expect(await count()).toBe(0);

    await t.services.db.transaction().execute(async (trx) => {
      await enqueueMail(trx, t.services, simpleMail(t.tenantId, 2));
    });
    expect(await count()).toBe(1);
    expect(await outboxStatus(t.services)).toEqual({ pending: 1, sending: 0, sent: 0, failed: 0 });
  });

  it('deduplicates on dedupeKey without breaking the transaction', async () => {
    const [first, second] = await t.services.db.transaction().execute(async (trx) => {
      const a = await enqueueMail(
        trx,
        t.services,
        simpleMail(t.tenantId, 1, { dedupeKey: 'invitation:1:1' }),
      );
      const b = await enqueueMail(
        trx,
        t.services,
        simpleMail(t.tenantId, 2, { dedupeKey: 'invitation:1:1' }),
      );
      // The transaction is still usable after the conflict (PostgreSQL aborts on a failed statement).
      await enqueueMail(trx, t.services, simpleMail(t.tenantId, 3));
      return [a, b];
    });
    expect(first.deduplicated).toBe(false);
    expect(second).toEqual({ id: first.id, messageId: first.messageId, deduplicated: true });
    expect(await count()).toBe(2);
  });

  it('delivers an invitation exactly once with its subject, From, Reply-To and Cc', async () => {
    const enqueued = await enqueueMail(
      t.services.db,
      t.services,
      composeInvitationMail({
        tenantId: t.tenantId,
        to: { address: 'guest@fabrikam.com', name: 'Grace Hopper' },
        cc: [{ address: 'manager@fabrikam.com', name: 'Manager' }],
        inviterMail: 'ada@contoso.com',
        content: {
          inviterName: 'Ada Lovelace',
          organizationName: 'Contoso',
          organizationDomain: 'contoso.foyer.localhost',
          redeemUrl: 'https://foyer.test/redeem?ticket=abc',
          blockUrl: 'https://foyer.test/block?token=def',
          customMessage: 'Hello & welcome',
        },
        languages: { messageLanguage: 'fr' },
      }),
    );
    const w = worker();
    await w.drain();
    const [mail] = await catcher.waitFor(1);
    expect(mail?.parsed.subject).toBe(
      'Ada Lovelace vous a invité(e) à accéder à des applications de son organisation',
    );
    expect(mail?.parsed.from?.value).toEqual([{ name: 'Ada Lovelace via Foyer', address: MAIL_FROM }]);
    expect(mail?.parsed.replyTo?.value).toEqual([{ name: 'Ada Lovelace', address: 'ada@contoso.com' }]);
    const cc = mail?.parsed.cc;
    expect(Array.isArray(cc) ? cc : cc?.value).toEqual([
      { name: 'Manager', address: 'manager@fabrikam.com' },
    ]);
    expect(mail?.parsed.messageId).toBe(enqueued.messageId);
    expect(mail?.parsed.headers.get('content-language')).toBe('fr-FR');
    expect(mail?.parsed.text).toContain('Hello & welcome');
    expect(mail?.parsed.html).toContain('Hello &amp; welcome');
    expect(mail?.envelope.to.sort()).toEqual(['guest@fabrikam.com', 'manager@fabrikam.com']);

    const row = await findOutboxMail(t.services.db, enqueued.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, deliveredVia: 'smtp', claimToken: null });
    expect(row?.sentAt).toBe(t.services.clock.now().toISOString());

    // Nothing is due any more, however often the worker looks.
    await w.drain();
    t.services.clock.advance(24 * 3_600_000);
    await w.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(catcher.messages).toHaveLength(1);
  });

  it('never lets CR/LF in a display name create a header (Bcc injection)', async () => {
    await enqueueMail(
      t.services.db,
      t.services,
      composeInvitationMail({
        tenantId: t.tenantId,
        to: { address: 'guest@fabrikam.com', name: 'Guest\r\nBcc: y@z' },
        inviterMail: 'eve@contoso.com',
        content: {
          inviterName: 'Eve\r\nBcc: x@y',
          organizationName: 'Contoso\nX-Evil: 1',
          organizationDomain: 'contoso.foyer.localhost',
          redeemUrl: 'https://foyer.test/redeem?ticket=abc',
          blockUrl: 'https://foyer.test/block?token=def',
        },
        languages: {},
      }),
    );
    await worker().drain();
    const [mail] = await catcher.waitFor(1);
    expect(mail?.envelope.to).toEqual(['guest@fabrikam.com']);
    expect(mail?.parsed.headers.has('bcc')).toBe(false);
    expect(mail?.parsed.headers.has('x-evil')).toBe(false);
    expect(mail?.raw).not.toMatch(/^Bcc:/im);
    expect(mail?.parsed.from?.value[0]?.name).toBe('Eve Bcc: x@y via Foyer');
    expect(mail?.parsed.subject).toBe(
      'Eve Bcc: x@y invited you to access applications within their organization',
    );

    // Addresses are never repaired, only refused; reserved headers cannot be set.
    await expect(
      enqueueMail(
        t.services.db,
        t.services,
        simpleMail(t.tenantId, 1, { to: [{ address: 'a@b.com\r\nBcc: x@y' }] }),
      ),
    ).rejects.toThrow('Not a valid email address');
    await expect(
      enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1, { headers: { Bcc: 'x@y' } })),
    ).rejects.toThrow('may not be set');
  });

  it('retries with backoff while SMTP refuses, then delivers every mail exactly once', async () => {
    catcher.down();
    for (let n = 0; n < 5; n++) await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, n));
    const w = worker({ random: () => 0 });
    await w.drain();
    expect(await outboxStatus(t.services)).toEqual({ pending: 5, sending: 0, sent: 0, failed: 0 });
    const first = await t.services.db.selectFrom('mail_outbox').selectAll().execute();
    const now = t.services.clock.now().getTime();
    for (const row of first) {
      expect(row.attempts).toBe(1);
      expect(row.last_error).toBeTruthy();
      expect(new Date(row.next_attempt_at).getTime() - now).toBe(5_000);
    }

    // Not due yet: nothing happens.
    await w.drain();
    expect(
      (await t.services.db.selectFrom('mail_outbox').select('attempts').execute()).map((r) => r.attempts),
    ).toEqual([1, 1, 1, 1, 1]);

    // Second attempt, still down: the next delay doubles.
    t.services.clock.advance(5_000);
    await w.drain();
    const second = await t.services.db.selectFrom('mail_outbox').selectAll().execute();
    for (const row of second) {
      expect(row.attempts).toBe(2);
      expect(new Date(row.next_attempt_at).getTime() - t.services.clock.now().getTime()).toBe(10_000);
    }
    expect(catcher.refused.connections + catcher.refused.messages).toBeGreaterThan(0);

    catcher.up();
    t.services.clock.advance(FIFTEEN_MINUTES_AND_A_BIT);
    await w.drain();
    const delivered = await catcher.waitFor(5);
    await w.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(catcher.messages).toHaveLength(5);
    expect(new Set(delivered.map((m) => m.parsed.messageId)).size).toBe(5);
    expect(delivered.map((m) => m.parsed.subject).sort()).toEqual([0, 1, 2, 3, 4].map((n) => `Message ${n}`));
    expect(await outboxStatus(t.services)).toEqual({ pending: 0, sending: 0, sent: 5, failed: 0 });
    expect(await outboxStatus(t.services, { tenantId: 'another-tenant' })).toEqual({
      pending: 0,
      sending: 0,
      sent: 0,
      failed: 0,
    });
  });

  it('gives up as failed after the last attempt, and says so', async () => {
    catcher.down();
    const { id } = await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1));
    const logger = recordingLogger();
    const w = worker({ maxAttempts: 3, logger });
    for (let i = 0; i < 4; i++) {
      await w.drain();
      t.services.clock.advance(FIFTEEN_MINUTES_AND_A_BIT);
    }
    expect(await findOutboxMail(t.services.db, id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual([
      'mail delivery failed permanently; giving up',
    ]);
    expect(catcher.messages).toHaveLength(0);
  });

  it('re-claims a mail whose worker crashed once its lease expires; the crashed claim can no longer complete it', async () => {
    const { id } = await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1));
    // A worker claims the mail and dies before sending.
    const [crashed] = await claimDueMail(t.services.db, t.services.dialect, {
      now: t.services.clock.now(),
      leaseUntil: new Date(t.services.clock.now().getTime() + 60_000),
      claimToken: 'crashed-worker',
      batchSize: 10,
      maxAttempts: 12,
    });
    expect(crashed).toMatchObject({ id, status: 'sending', attempts: 1, claimToken: 'crashed-worker' });

    const w = worker({ leaseMs: 60_000 });
    await w.drain();
    expect(catcher.messages).toHaveLength(0);
    expect((await findOutboxMail(t.services.db, id))?.status).toBe('sending');

    t.services.clock.advance(60_000);
    await w.drain();
    const [mail] = await catcher.waitFor(1);
    expect(mail?.parsed.messageId).toBe(crashed?.messageId);
    expect(await findOutboxMail(t.services.db, id)).toMatchObject({ status: 'sent', attempts: 2 });

    // The crashed worker comes back to life: its guarded update changes nothing.
    expect(
      await markMailSent(
        t.services.db,
        { id, claimToken: 'crashed-worker', html: crashed!.html, text: crashed!.text, template: null },
        { now: t.services.clock.now(), deliveredVia: 'smtp' },
      ),
    ).toBe(false);
  });

  it('claims a batch at most: leases that ran out first, then mails in the order they fell due, never one early', async () => {
    const at = (seconds: number) => new Date(t.services.clock.now().getTime() + seconds * 1000);
    const claim = async (batchSize: number) =>
      (
        await claimDueMail(t.services.db, t.services.dialect, {
          now: t.services.clock.now(),
          leaseUntil: at(600),
          claimToken: `claim-${batchSize}-${t.services.clock.now().getTime()}`,
          batchSize,
          maxAttempts: 12,
        })
      )
        .map((mail) => mail.subject)
        .sort();
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1));
    expect(
      await claimDueMail(t.services.db, t.services.dialect, {
        now: t.services.clock.now(),
        leaseUntil: at(60),
        claimToken: 'crashed-worker',
        batchSize: 10,
        maxAttempts: 12,
      }),
    ).toHaveLength(1);
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 2, { notBefore: at(30) }));
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 3, { notBefore: at(10) }));
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 4, { notBefore: at(7200) }));

    t.services.clock.advance(61_000);
    expect(await claim(2)).toEqual(['Message 1', 'Message 3']);
    expect(await claim(2)).toEqual(['Message 2']);
    expect(await claim(2)).toEqual([]);
  });

  it('a crashed worker delays its claimed mail by about 30 s, not minutes', async () => {
    expect(MAIL_LEASE_MS).toBeLessThanOrEqual(30_000);
    const { id, messageId } = await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1));
    // A worker with the default lease claims the mail; its process dies before it sends (no renewal either).
    const dying = startMailWorker(
      t.services,
      { name: 'smtp', send: () => new Promise(() => {}), close: async () => {} },
      {
        pollMs: 3_600_000,
        renewEveryMs: 3_600_000,
        logger: recordingLogger(),
      },
    );
    void dying.drain();
    await expect.poll(async () => (await findOutboxMail(t.services.db, id))?.status).toBe('sending');

    const w = worker();
    await w.drain();
    expect(catcher.messages).toHaveLength(0);
    t.services.clock.advance(30_001);
    await w.drain();
    const [mail] = await catcher.waitFor(1);
    expect(mail?.parsed.messageId).toBe(messageId);
  });

  it('a live worker renews its lease while a send takes longer than the lease: nobody else sends the mail', async () => {
    const { id } = await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1));
    let release!: () => void;
    const released = new Promise<void>((done) => {
      release = done;
    });
    let sends = 0;
    const slow: MailTransport = {
      name: 'smtp',
      async send(mail, options) {
        sends += 1;
        await released;
        await transport.send(mail, options);
      },
      close: async () => {},
    };
    const sending = worker({ leaseMs: 30_000, renewEveryMs: 20 });
    const a = startMailWorker(t.services, slow, {
      pollMs: 3_600_000,
      leaseMs: 30_000,
      renewEveryMs: 20,
      logger: recordingLogger(),
    });
    workers.push(a);
    const first = a.drain();
    await expect.poll(() => sends).toBe(1);
    // Twice the lease passes, with renewals in between.
    for (let i = 0; i < 2; i++) {
      t.services.clock.advance(29_000);
      await new Promise((r) => setTimeout(r, 150));
    }
    await sending.drain();
    expect(catcher.messages).toHaveLength(0);
    expect((await findOutboxMail(t.services.db, id))?.status).toBe('sending');
    release();
    await first;
    await catcher.waitFor(1);
    expect(await findOutboxMail(t.services.db, id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(catcher.messages).toHaveLength(1);
  });

  it('re-sends after a crash mid-send with the same Message-ID, so the duplicate is recognisable', async () => {
    const { messageId } = await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1));
    let calls = 0;
    // The server accepts the mail, then the connection breaks before the worker hears back.
    const flaky: MailTransport = {
      name: 'smtp',
      async send(mail, options) {
        await transport.send(mail, options);
        calls += 1;
        if (calls === 1) throw new Error('connection lost after DATA');
      },
      close: async () => {},
    };
    const w = startMailWorker(t.services, flaky, { pollMs: 3_600_000, logger: recordingLogger() });
    workers.push(w);
    await w.drain();
    t.services.clock.advance(FIFTEEN_MINUTES_AND_A_BIT);
    await w.drain();
    const copies = await catcher.waitFor(2);
    expect(copies.map((m) => m.parsed.messageId)).toEqual([messageId, messageId]);
    expect(await outboxStatus(t.services)).toMatchObject({ sent: 1 });
  });

  describe('forgets the secrets in its links once delivery is over', () => {
    /** A worker claims every due mail for one last attempt, then dies: its lease runs out. */
    const claimedByACrashedWorker = async () => {
      await claimDueMail(t.services.db, t.services.dialect, {
        now: t.services.clock.now(),
        leaseUntil: new Date(t.services.clock.now().getTime() + 60_000),
        claimToken: 'crashed-worker',
        batchSize: 10,
        maxAttempts: 1,
      });
      t.services.clock.advance(60_000);
    };

    const bodiesOf = async (id: string) =>
      t.services.db
        .selectFrom('mail_outbox')
        .select(['status', 'html_body', 'text_body'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    const expectRedacted = (row: { html_body: string; text_body: string }) => {
      for (const body of [row.html_body, row.text_body]) {
        expect(body).not.toContain(TICKET);
        expect(body).not.toContain(SIG);
        expect(body).toContain('/redeem?ticket=[redacted]');
        expect(body).toContain('sig=[redacted]');
      }
    };

    it('when sent over SMTP: the recipient gets the links, the stored row keeps them redacted', async () => {
      const { id } = await enqueueMail(t.services.db, t.services, mailWithLinks(t.tenantId, 1));
      // Pending: the worker sends from the row, so the links are still whole.
      expect((await bodiesOf(id)).text_body).toContain(REDEEM_URL);
      await worker().drain();
      const [mail] = await catcher.waitFor(1);
      expect(mail?.parsed.text).toContain(REDEEM_URL);
      expect(mail?.parsed.text).toContain(BLOCK_URL);
      expect(mail?.parsed.html).toContain(`href="${REDEEM_URL}"`);
      const row = await bodiesOf(id);
      expect(row.status).toBe('sent');
      expectRedacted(row);
      expect(row.text_body).toBe(
        'Accept: https://foyer.test/redeem?ticket=[redacted]\n' +
          'Block: https://foyer.test/invitations/block?tenant=t-1&invitation=i-1&sig=[redacted]',
      );
    });

    it('when given up after the last attempt, not while a retry is pending', async () => {
      catcher.down();
      const { id } = await enqueueMail(t.services.db, t.services, mailWithLinks(t.tenantId, 1));
      const w = worker({ maxAttempts: 2 });
      await w.drain();
      const retrying = await bodiesOf(id);
      expect(retrying.status).toBe('pending');
      expect(retrying.text_body).toContain(REDEEM_URL);
      expect(retrying.html_body).toContain(`href="${REDEEM_URL}"`);
      t.services.clock.advance(FIFTEEN_MINUTES_AND_A_BIT);
      await w.drain();
      const failed = await bodiesOf(id);
      expect(failed.status).toBe('failed');
      expectRedacted(failed);
    });

    it('when a lease runs out on the last attempt', async () => {
      const { id } = await enqueueMail(t.services.db, t.services, mailWithLinks(t.tenantId, 1));
      await claimedByACrashedWorker();
      const logger = recordingLogger();
      await worker({ maxAttempts: 1, logger }).drain();
      const failed = await bodiesOf(id);
      expect(failed.status).toBe('failed');
      expectRedacted(failed);
      expect(logger.entries.map((e) => e.message)).toEqual([
        'mail lease expired on its last attempt; giving up',
      ]);
      expect(catcher.messages).toHaveLength(0);
    });

    /** An invitation mail queued as its template, carrying the live links. */
    const templated = (n: number, customMessage?: string) =>
      composeInvitationMail({
        tenantId: t.tenantId,
        to: { address: `guest${n}@fabrikam.com`, name: null },
        content: {
          inviterName: 'Ada Lovelace',
          organizationName: 'Contoso',
          organizationDomain: 'contoso.foyer.localhost',
          redeemUrl: REDEEM_URL,
          blockUrl: BLOCK_URL,
          customMessage,
        },
        languages: {},
      });

    it('a templated mail: its template kept with the links redacted, when given up or its lease runs out', async () => {
      const row = (id: string) =>
        t.services.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      catcher.down();
      const givenUp = await enqueueMail(t.services.db, t.services, templated(1));
      // Waiting: no bodies stored, the template instead; readers render it.
      expect(await row(givenUp.id)).toMatchObject({ html_body: '', text_body: '' });
      expect((await findOutboxMail(t.services.db, givenUp.id))?.text).toContain(REDEEM_URL);
      await worker({ maxAttempts: 1 }).drain();

      const leaseLost = await enqueueMail(t.services.db, t.services, templated(2));
      await claimedByACrashedWorker();
      await worker({ maxAttempts: 1 }).drain();

      for (const id of [givenUp.id, leaseLost.id]) {
        const failed = await row(id);
        expect(failed).toMatchObject({ status: 'failed', html_body: '', text_body: '' });
        expect(JSON.stringify(failed)).not.toContain(TICKET);
        expect(JSON.stringify(failed)).not.toContain(SIG);
        // Readers render the redacted template: the mail as it was, its links dead.
        const read = await findOutboxMail(t.services.db, id);
        expect(read?.text).toContain('Ada Lovelace invited you');
        expectRedacted({ html_body: read!.html, text_body: read!.text });
      }
    });

    it('a templated mail sent over SMTP: the recipient gets the links, the stored template keeps them redacted', async () => {
      // A secret in the inviter's own words goes too, and its quote stays a quote.
      const message = 'Or use "https://foyer.test/redeem?ticket=ABCDEF" directly.';
      const { id } = await enqueueMail(t.services.db, t.services, templated(1, message));
      await worker().drain();
      const [mail] = await catcher.waitFor(1);
      expect(mail?.parsed.text).toContain(REDEEM_URL);
      const stored = await t.services.db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(stored.status).toBe('sent');
      for (const secret of [TICKET, SIG, 'ABCDEF']) expect(JSON.stringify(stored)).not.toContain(secret);
      const read = await findOutboxMail(t.services.db, id);
      expectRedacted({ html_body: read!.html, text_body: read!.text });
      expect(read?.text).toContain('Or use "https://foyer.test/redeem?ticket=[redacted]" directly.');
    });

    it('a stored template that cannot be rendered fails that mail at once, and the rest of its batch is sent', async () => {
      const bad = await enqueueMail(t.services.db, t.services, mailWithLinks(t.tenantId, 1));
      const good = await enqueueMail(t.services.db, t.services, mailWithLinks(t.tenantId, 2));
      // As if queued by a build whose template this one cannot read.
      await t.services.db
        .updateTable('mail_outbox')
        .set({ template: '{"name":"invitation","language":"en-US","content":', html_body: '', text_body: '' })
        .where('id', '=', bad.id)
        .execute();
      const logger = recordingLogger();
      await worker({ maxAttempts: 5, logger }).drain();
      const failed = await t.services.db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('id', '=', bad.id)
        .executeTakeFirstOrThrow();
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, template: null });
      expect(failed.last_error).toContain('could not be rendered');
      expect(catcher.messages).toHaveLength(1);
      expect((await findOutboxMail(t.services.db, good.id))?.status).toBe('sent');
    });

    it('a lease that runs out on a mail whose template cannot be rendered still ends it as failed', async () => {
      const { id } = await enqueueMail(t.services.db, t.services, mailWithLinks(t.tenantId, 1));
      await t.services.db
        .updateTable('mail_outbox')
        .set({ template: '{"name":', html_body: '', text_body: '' })
        .where('id', '=', id)
        .execute();
      await claimedByACrashedWorker();
      const failed = await failExhaustedLeases(t.services.db, {
        now: t.services.clock.now(),
        maxAttempts: 1,
      });
      expect(failed.map((row) => row.id)).toEqual([id]);
      expect(await findOutboxMail(t.services.db, id)).toMatchObject({ status: 'failed', text: '' });
    });

    it('fails each exhausted lease once when two workers look at the same time', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 6; n++) {
        ids.push((await enqueueMail(t.services.db, t.services, mailWithLinks(t.tenantId, n))).id);
      }
      await claimedByACrashedWorker();
      const other = (await t.connectAgain()).db;
      const options = { now: t.services.clock.now(), maxAttempts: 1 };
      const [a, b] = await Promise.all([
        failExhaustedLeases(t.services.db, options),
        failExhaustedLeases(other, options),
      ]);
      expect([...a, ...b].map((r) => r.id).sort()).toEqual([...ids].sort());
      for (const id of ids) expectRedacted(await bodiesOf(id));
      expect(await failExhaustedLeases(t.services.db, options)).toEqual([]);
    });
  });

  it('does not send a mail before its notBefore time', async () => {
    const later = new Date(t.services.clock.now().getTime() + 3_600_000);
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1, { notBefore: later }));
    const w = worker();
    await w.drain();
    expect(catcher.messages).toHaveLength(0);
    t.services.clock.advance(3_600_000);
    await w.drain();
    await catcher.waitFor(1);
  });

  it('polls on its own and stops cleanly', async () => {
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 1));
    const w = startMailWorker(t.services, transport, { pollMs: 20, logger: recordingLogger() });
    await catcher.waitFor(1);
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 2));
    await catcher.waitFor(2);
    await w.stop();
    await enqueueMail(t.services.db, t.services, simpleMail(t.tenantId, 3));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(catcher.messages).toHaveLength(2);
  });
});
