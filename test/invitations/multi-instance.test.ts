import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxStatus } from '../../src/mail/outbox-store.js';
import { type MailTransport, smtpTransport } from '../../src/mail/transports.js';
import { type MailWorker, startMailWorker } from '../../src/mail/worker.js';
import { buildTestApp, secondInstance, silentMailLogger, type TestApp } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { adminCaller, type GraphClient, graphClient } from '../helpers/graph.js';
import { type SmtpCatcher, startSmtpCatcher } from '../helpers/smtp-catcher.js';
import { invitation } from './support.js';

const INVITATIONS = 200;

/** Counts, per outbox id, the sends the SMTP server accepted through this transport. */
function counting(inner: MailTransport, accepted: Map<string, number>): MailTransport & { sent: number } {
  const transport = {
    name: inner.name,
    sent: 0,
    async send(...args: Parameters<MailTransport['send']>) {
      await inner.send(...args);
      transport.sent += 1;
      accepted.set(args[0].id, (accepted.get(args[0].id) ?? 0) + 1);
    },
    close: () => inner.close(),
  };
  return transport;
}

// Scale-out (PRODUCT §8): two stateless instances on one PostgreSQL database, each with its own mail worker,
// claiming from one outbox with FOR UPDATE SKIP LOCKED. PostgreSQL only: that is where instances share state.
describe.skipIf(!process.env.FOYER_TEST_DATABASE_URL && process.env.CI !== 'true')(
  'two instances on one PostgreSQL database, SMTP down for part of the run',
  () => {
    const clock = movableClock();
    const accepted = new Map<string, number>();
    let catcher: SmtpCatcher;
    let t: TestApp;
    let other: Awaited<ReturnType<typeof secondInstance>>;
    let transports: Array<ReturnType<typeof counting>> = [];
    let workers: MailWorker[] = [];

    beforeAll(async () => {
      catcher = await startSmtpCatcher();
      // Throttling off: this test is about the outbox, not the 150-per-5-s limit.
      const env = { FOYER_SMTP_URL: catcher.url, FOYER_INVITE_RATE_LIMIT: '0' };
      t = await buildTestApp('postgres', { env, clock });
      other = await secondInstance(t, { env, clock });
      transports = [
        counting(smtpTransport(catcher.url), accepted),
        counting(smtpTransport(catcher.url), accepted),
      ];
      // The test jumps the clock past the retry backoff; a lease longer than that jump keeps the mails in flight
      // at that moment from looking abandoned (which would rightly get them re-sent by the other worker).
      const options = { pollMs: 20, batchSize: 10, leaseMs: 60 * 60_000, logger: silentMailLogger };
      workers = [
        startMailWorker(t.app.services, transports[0]!, options),
        startMailWorker(other.app.services, transports[1]!, options),
      ];
    });
    afterAll(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(transports.map((tr) => tr.close()));
      await other?.close();
      await t?.close();
      await catcher?.close();
    });

    it(`delivers ${INVITATIONS} invitation mails, each exactly once`, async () => {
      const first = await adminCaller(t);
      const instances: GraphClient[] = [first, graphClient(other.app, first.token)];
      const address = (n: number) => `guest${String(n).padStart(3, '0')}@fabrikam.com`;
      const inviteBatch = async (from: number, to: number) => {
        for (let start = from; start < to; start += 20) {
          const responses = await Promise.all(
            Array.from({ length: Math.min(20, to - start) }, (_, i) =>
              instances[(start + i) % 2]!.post('/v1.0/invitations', {
                ...invitation(address(start + i)),
                sendInvitationMessage: true,
              }),
            ),
          );
          for (const response of responses) expect(response.statusCode, response.body).toBe(201);
        }
      };

      // The first half is invited while the SMTP server refuses every connection: the workers try and fail.
      catcher.down();
      await inviteBatch(0, INVITATIONS / 2);
      await waitUntil(async () => {
        const row = await t.app.services.db
          .selectFrom('mail_outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'pending')
          .where('attempts', '>', 0)
          .executeTakeFirstOrThrow();
        return Number(row.n) === INVITATIONS / 2;
      });
      expect(catcher.messages).toHaveLength(0);
      expect(catcher.refused.connections + catcher.refused.messages).toBeGreaterThan(0);

      // SMTP comes back; the second half goes out at once, the first half when its backoff has passed.
      catcher.up();
      await inviteBatch(INVITATIONS / 2, INVITATIONS);
      clock.advance(20 * 60_000);
      const delivered = await catcher.waitFor(INVITATIONS, 30_000);
      // A little longer, so a duplicate would have time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(catcher.messages).toHaveLength(INVITATIONS);
      const recipients = delivered.flatMap((m) => m.envelope.to);
      expect(new Set(recipients).size).toBe(INVITATIONS);
      expect(recipients.sort()).toEqual(Array.from({ length: INVITATIONS }, (_, n) => address(n)));
      expect(new Set(delivered.map((m) => m.parsed.messageId)).size).toBe(INVITATIONS);
      expect([...accepted.values()].every((times) => times === 1)).toBe(true);
      expect(accepted.size).toBe(INVITATIONS);
      // Both instances delivered: the race for the outbox was real.
      expect(transports[0]!.sent).toBeGreaterThan(0);
      expect(transports[1]!.sent).toBeGreaterThan(0);
      expect(await outboxStatus(t.app.services)).toEqual({
        pending: 0,
        sending: 0,
        sent: INVITATIONS,
        failed: 0,
      });
    }, 60_000);
  },
);

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
