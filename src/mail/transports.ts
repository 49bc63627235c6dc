import type { SendMailOptions, Transporter } from 'nodemailer';
import type { ResolvedConfig } from '../app/services.js';
import { ConfigError } from '../config/index.js';
import { headerSafe } from './headers.js';
import type { OutboxMail } from './outbox-store.js';
import { DEV_MAILBOX_TRANSPORT } from './redaction.js';

/**
 * Where the worker hands a claimed mail. `send` resolves once the mail is accepted and throws otherwise;
 * `name` is recorded on the row as `delivered_via`.
 */
export interface MailTransport {
  readonly name: string;
  send(mail: OutboxMail, options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

/**
 * The outbox row as a nodemailer message. Header values were made single-line at enqueue time; they are
 * cleaned again here (defence in depth: a row could have been written by an older version or by hand).
 */
export function toNodemailerMessage(mail: OutboxMail): SendMailOptions {
  const address = (a: { address: string; name?: string | null }) =>
    a.name ? { address: a.address, name: headerSafe(a.name, 200) } : a.address;
  return {
    messageId: mail.messageId,
    date: new Date(mail.createdAt),
    from: address(mail.from),
    to: mail.to.map(address),
    ...(mail.cc.length > 0 ? { cc: mail.cc.map(address) } : {}),
    ...(mail.replyTo ? { replyTo: address(mail.replyTo) } : {}),
    subject: headerSafe(mail.subject, 900),
    text: mail.text,
    html: mail.html,
    headers: Object.fromEntries(
      Object.entries(mail.headers).map(([name, value]) => [name, headerSafe(value, 900)]),
    ),
  };
}

/** SMTP through a small nodemailer pool, from FOYER_SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`). */
export function smtpTransport(smtpUrl: string, options: { maxConnections?: number } = {}): MailTransport {
  // nodemailer loads on first use, so an instance that never sends over SMTP never pays for it at start-up.
  let transporter: Promise<Transporter> | undefined;
  const connect = () =>
    (transporter ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        pool: true,
        url: smtpUrl,
        maxConnections: options.maxConnections ?? 3,
        // Bounded waits, so a hung server fails the attempt well inside the worker's lease.
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 60_000,
      }),
    ));
  return {
    name: 'smtp',
    async send(mail, sendOptions) {
      await (await connect()).sendMail({
        ...toNodemailerMessage(mail),
        ...(sendOptions?.signal ? { signal: sendOptions.signal } : {}),
      });
    },
    async close() {
      (await transporter)?.close();
    },
  };
}

/**
 * The development mailbox: the outbox row is the stored message, so delivering is only marking it sent
 * (delivered_via = 'dev-mailbox') and keeps its bodies intact; `/dev/mailbox` shows it.
 */
export function devMailboxTransport(): MailTransport {
  return {
    name: DEV_MAILBOX_TRANSPORT,
    async send() {},
    async close() {},
  };
}

/** SMTP when configured; otherwise the dev mailbox, which production never falls back to. */
export function createMailTransport(config: Pick<ResolvedConfig, 'smtpUrl' | 'env'>): MailTransport {
  if (config.smtpUrl) return smtpTransport(config.smtpUrl);
  if (config.env === 'production') {
    throw new ConfigError('Invalid configuration:\n  FOYER_SMTP_URL: required in production to send mail');
  }
  return devMailboxTransport();
}
