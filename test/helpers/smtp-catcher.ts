import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  /** SMTP envelope: who the client actually asked the server to deliver to (Bcc would show up here). */
  envelope: { from: string | null; to: string[] };
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpCatcher {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  port: number;
  messages: CaughtMail[];
  /** Refuse every connection and every message (4xx, transient) until up(). */
  down(): void;
  up(): void;
  /** Resolves with the messages once at least `count` arrived; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<CaughtMail[]>;
  /** How many connections / messages were refused while down. */
  refused: { connections: number; messages: number };
  close(): Promise<void>;
}

function transientError(message: string): Error {
  return Object.assign(new Error(message), { responseCode: 421 });
}

/** A real SMTP server in-process on 127.0.0.1 (ephemeral port), no TLS, no auth; every message parsed. */
export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const messages: CaughtMail[] = [];
  const refused = { connections: 0, messages: 0 };
  const waiters = new Set<() => void>();
  let isDown = false;

  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS offer (a self-signed certificate would fail the client), no AUTH.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onConnect(_session, callback) {
      if (isDown) {
        refused.connections += 1;
        return callback(transientError('Service temporarily unavailable'));
      }
      callback();
    },
    onMailFrom(_address, _session, callback) {
      if (isDown) {
        refused.messages += 1;
        return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (isDown) {
          refused.messages += 1;
          return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              parsed,
              raw,
            });
            for (const wake of waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    refused,
    down() {
      isDown = true;
    },
    up() {
      isDown = false;
    },
    waitFor(count, timeoutMs = 10_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Expected ${count} messages within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages);
        };
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
