import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Services } from '../app/services.js';
import { preparedInsert } from '../db/prepared.js';
import type { Database, MailOutboxTable, MailStatus } from '../db/schema.js';
import { headerSafe, type MailAddress, messageIdFor, safeAddress, safeHeaders } from './headers.js';
import { bodiesOf, type MailTemplate } from './templated.js';

export type Executor = Kysely<Database> | Transaction<Database>;
export type { MailStatus };

/**
 * A mail's content: its rendered bodies, or the template the worker renders them from just before sending
 * (templated.ts) — the cheaper choice for a request that queues mail inside its transaction.
 */
export type MailContent =
  | { html: string; text: string; template?: undefined }
  | { template: MailTemplate; html?: undefined; text?: undefined };

/** A mail to enqueue. The From address is always the instance's (config.mailFrom); only its name varies. */
export type NewMail = MailContent & {
  /** Null for instance-level mail, owned by no tenant (a personal account's sign-up code). */
  tenantId: string | null;
  /** What the mail is about, e.g. 'invitation', 'invitation.reminder', 'passcode'. */
  category: string;
  to: MailAddress[];
  cc?: MailAddress[];
  fromName?: string | null;
  replyTo?: MailAddress | null;
  subject: string;
  language: string;
  /** Extra headers (e.g. Content-Language); the outbox owns From/To/Subject/Message-ID/… */
  headers?: Record<string, string>;
  /** Enqueue at most once per tenant and key (e.g. `invitation:<id>:<ticket generation>`). */
  dedupeKey?: string | null;
  correlationId?: string | null;
  /** The object the mail is about (an invitation id, …). */
  relatedId?: string | null;
  /** The first attempt happens no earlier than this. */
  notBefore?: Date;
};

export interface EnqueuedMail {
  id: string;
  messageId: string;
  /** True when a mail with the same dedupeKey already existed: nothing new was enqueued. */
  deduplicated: boolean;
}

export interface OutboxMail {
  tenantId: string | null;
  id: string;
  messageId: string;
  category: string;
  from: { address: string; name: string | null };
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: { address: string; name: string | null } | null;
  subject: string;
  html: string;
  text: string;
  language: string;
  headers: Record<string, string>;
  status: MailStatus;
  attempts: number;
  nextAttemptAt: string;
  claimedUntil: string | null;
  claimToken: string | null;
  lastError: string | null;
  deliveredVia: string | null;
  createdAt: string;
  sentAt: string | null;
  dedupeKey: string | null;
  correlationId: string | null;
  relatedId: string | null;
  /** Set when the stored template could not be rendered (a row queued by another build): the bodies are empty. */
  renderError?: string;
}

/**
 * Writes a mail into the outbox with the caller's executor: pass the transaction that changes the state the
 * mail announces (an invitation, a ticket), so both commit or neither does (PRODUCT §4.4: nothing lost).
 * Every header value is made single-line here, before it is stored; addresses must be valid as given.
 */
const insertOutboxRow = preparedInsert<
  'mail_outbox',
  Selectable<MailOutboxTable>,
  { id: string; message_id: string }
>('mail_outbox', (query) =>
  query
    .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
    .returning(['id', 'message_id']),
);

export async function enqueueMail(
  executor: Executor,
  services: Pick<Services, 'config' | 'clock' | 'ids'>,
  mail: NewMail,
): Promise<EnqueuedMail> {
  if (mail.to.length === 0) throw new Error('A mail needs at least one recipient');
  const id = services.ids.objectId();
  const now = services.clock.now().toISOString();
  const replyTo = mail.replyTo ? safeAddress(mail.replyTo) : null;
  const fromName = mail.fromName ? headerSafe(mail.fromName, 200) : '';
  const row: Selectable<MailOutboxTable> = {
    tenant_id: mail.tenantId,
    id,
    message_id: messageIdFor(id, services.config.mailFrom),
    category: mail.category,
    from_address: services.config.mailFrom,
    from_name: fromName === '' ? null : fromName,
    to_addresses: JSON.stringify(mail.to.map(safeAddress)),
    cc_addresses: JSON.stringify((mail.cc ?? []).map(safeAddress)),
    reply_to_address: replyTo?.address ?? null,
    reply_to_name: replyTo?.name ?? null,
    subject: headerSafe(mail.subject, 900),
    // A templated mail's bodies stay empty until the worker has rendered and delivered it (bodiesOf).
    html_body: mail.template ? '' : mail.html,
    text_body: mail.template ? '' : mail.text,
    language: headerSafe(mail.language, 35),
    headers: JSON.stringify(safeHeaders(mail.headers)),
    status: 'pending',
    attempts: 0,
    next_attempt_at: (mail.notBefore ?? services.clock.now()).toISOString(),
    claimed_until: null,
    claim_token: null,
    last_error: null,
    delivered_via: null,
    created_at: now,
    sent_at: null,
    dedupe_key: mail.dedupeKey ?? null,
    correlation_id: mail.correlationId ?? null,
    related_id: mail.relatedId ?? null,
    template: mail.template ? JSON.stringify(mail.template) : null,
  };
  // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a failed statement would
  // abort the caller's whole transaction.
  const [inserted] = await insertOutboxRow(executor, row);
  if (inserted) return { id: inserted.id, messageId: inserted.message_id, deduplicated: false };
  const existing = await executor
    .selectFrom('mail_outbox')
    .select(['id', 'message_id'])
    .where('tenant_id', mail.tenantId === null ? 'is' : '=', mail.tenantId)
    .where('dedupe_key', '=', mail.dedupeKey ?? '')
    .executeTakeFirstOrThrow();
  return { id: existing.id, messageId: existing.message_id, deduplicated: true };
}

/**
 * Deletes the mails about `relatedId` that no worker has claimed yet, in the caller's transaction: for mails
 * whose content the change makes wrong (a ticket rotated, so their link is dead). A claimed mail is on its way.
 */
export async function withdrawPendingMails(
  executor: Executor,
  tenantId: string,
  relatedId: string,
  categories: readonly string[],
): Promise<number> {
  const result = await executor
    .deleteFrom('mail_outbox')
    .where('tenant_id', '=', tenantId)
    .where('related_id', '=', relatedId)
    .where('category', 'in', categories)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Counts by status, instance-wide or for one tenant (`foyer outbox status`). */
export async function outboxStatus(
  services: Pick<Services, 'db'>,
  options: { tenantId?: string } = {},
): Promise<Record<MailStatus, number>> {
  let query = services.db
    .selectFrom('mail_outbox')
    .select((eb) => ['status', eb.fn.countAll<string | number>().as('n')])
    .groupBy('status');
  if (options.tenantId !== undefined) query = query.where('tenant_id', '=', options.tenantId);
  const counts: Record<MailStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const row of await query.execute()) counts[row.status] = Number(row.n);
  return counts;
}

/**
 * Instance-level, for /metrics on every scrape: mails waiting (pending, sending) or given up (failed), and when
 * the oldest waiting one was queued. Sent mails are left out on purpose: they pile up forever, and counting
 * them on every scrape would grow with them (the worker counts deliveries instead).
 */
export async function outboxBacklog(
  db: Executor,
): Promise<{ counts: Record<'pending' | 'sending' | 'failed', number>; oldestWaiting: Date | undefined }> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select((eb) => [
      'status',
      eb.fn.countAll<string | number>().as('n'),
      eb.fn.min('created_at').as('oldest'),
    ])
    .where('status', 'in', ['pending', 'sending', 'failed'])
    .groupBy('status')
    .execute();
  const counts = { pending: 0, sending: 0, failed: 0 };
  let oldestWaiting: Date | undefined;
  for (const row of rows) {
    if (row.status === 'sent') continue;
    counts[row.status] = Number(row.n);
    if (row.status !== 'failed' && row.oldest) {
      const oldest = new Date(row.oldest);
      if (!oldestWaiting || oldest < oldestWaiting) oldestWaiting = oldest;
    }
  }
  return { counts, oldestWaiting };
}

/** Instance-level, newest first (dev mailbox). */
export async function listOutbox(db: Executor, options: { limit: number }): Promise<OutboxMail[]> {
  const rows = await db
    .selectFrom('mail_outbox')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map(toOutboxMail);
}

/** Instance-level lookup by outbox id (ids are UUIDs, unique across tenants). */
export async function findOutboxMail(db: Executor, id: string): Promise<OutboxMail | undefined> {
  const row = await db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOutboxMail(row) : undefined;
}

/** The mail a row holds; a templated row is rendered here, so every reader sees its bodies. */
export function toOutboxMail(row: Selectable<MailOutboxTable>): OutboxMail {
  const { html, text, renderError } = bodiesOf(row);
  return {
    ...(renderError === undefined ? {} : { renderError }),
    tenantId: row.tenant_id,
    id: row.id,
    messageId: row.message_id,
    category: row.category,
    from: { address: row.from_address, name: row.from_name },
    to: JSON.parse(row.to_addresses) as MailAddress[],
    cc: JSON.parse(row.cc_addresses) as MailAddress[],
    replyTo: row.reply_to_address ? { address: row.reply_to_address, name: row.reply_to_name } : null,
    subject: row.subject,
    html,
    text,
    language: row.language,
    headers: JSON.parse(row.headers) as Record<string, string>,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    claimedUntil: row.claimed_until,
    claimToken: row.claim_token,
    lastError: row.last_error,
    deliveredVia: row.delivered_via,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    dedupeKey: row.dedupe_key,
    correlationId: row.correlation_id,
    relatedId: row.related_id,
  };
}
