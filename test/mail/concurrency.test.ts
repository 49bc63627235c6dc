import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/app/services.js';
import { enqueueMail, outboxStatus } from '../../src/mail/outbox-store.js';
import { type MailTransport, smtpTransport } from '../../src/mail/transports.js';
import { startMailWorker } from '../../src/mail/worker.js';
import { type SmtpCatcher, startSmtpCatcher } from '../helpers/smtp-catcher.js';
import { type MailTestDatabase, mailTestDialects, recordingLogger } from './support.js';

const MAILS = 200;

describe.each(mailTestDialects())('two workers on one $name database', (dialect) => {
  let t: MailTestDatabase;
  let catcher: SmtpCatcher;

  beforeAll(async () => {
    catcher = await startSmtpCatcher();
    t = await dialect.open({ smtpUrl: catcher.url });
  });
  afterAll(async () => {
    await t.close();
    await catcher.close();
  });

  it(`deliver ${MAILS} mails between them, each exactly once`, async () => {
    await t.services.db.transaction().execute(async (trx) => {
      for (let n = 0; n < MAILS; n++) {
        await enqueueMail(trx, t.services, {
          tenantId: t.tenantId,
          category: 'test',
          to: [{ address: `guest${n}@fabrikam.com` }],
          subject: `Message ${n}`,
          html: `<p>${n}</p>`,
          text: `${n}`,
          language: 'en-US',
        });
      }
    });

    // Two workers as two instances would run them: separate connections (pools), separate SMTP pools.
    const sent = new Map<string, number>();
    const perWorker = [0, 0];
    const counting = (inner: MailTransport, worker: number): MailTransport => ({
      name: inner.name,
      async send(mail, options) {
        sent.set(mail.id, (sent.get(mail.id) ?? 0) + 1);
        perWorker[worker] = (perWorker[worker] ?? 0) + 1;
        await inner.send(mail, options);
      },
      close: () => inner.close(),
    });
    const transports = [counting(smtpTransport(catcher.url), 0), counting(smtpTransport(catcher.url), 1)];
    const second: Services = { ...t.services, db: (await t.connectAgain()).db };
    const workers = [
      startMailWorker(t.services, transports[0]!, {
        pollMs: 3_600_000,
        batchSize: 5,
        logger: recordingLogger(),
      }),
      startMailWorker(second, transports[1]!, { pollMs: 3_600_000, batchSize: 5, logger: recordingLogger() }),
    ];
    try {
      await Promise.all(workers.map((w) => w.drain()));
      const delivered = await catcher.waitFor(MAILS, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(catcher.messages).toHaveLength(MAILS);
      expect(new Set(delivered.map((m) => m.parsed.messageId)).size).toBe(MAILS);
      expect(new Set(delivered.map((m) => m.parsed.subject)).size).toBe(MAILS);
      expect(sent.size).toBe(MAILS);
      // Both took part: the race was real.
      expect(perWorker[0]).toBeGreaterThan(0);
      expect(perWorker[1]).toBeGreaterThan(0);
      expect([...sent.values()].every((times) => times === 1)).toBe(true);
      expect(await outboxStatus(t.services)).toEqual({ pending: 0, sending: 0, sent: MAILS, failed: 0 });
      const attempts = await t.services.db.selectFrom('mail_outbox').select('attempts').distinct().execute();
      expect(attempts.map((a) => a.attempts)).toEqual([1]);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(transports.map((tr) => tr.close()));
    }
  });
});
