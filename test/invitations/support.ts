import type { Selectable } from 'kysely';
import type { InvitationsTable, MailOutboxTable } from '../../src/db/schema.js';
import { hashTicket } from '../../src/invitations/tickets.js';
import { toOutboxMail } from '../../src/mail/outbox-store.js';
import type { TestApp } from '../helpers/build-test-app.js';
import type { GraphClient } from '../helpers/graph.js';
import type { CaughtMail } from '../helpers/smtp-catcher.js';

/** A POST /v1.0/invitations body. */
export const invitation = (email: string, extra: Record<string, unknown> = {}) => ({
  invitedUserEmailAddress: email,
  inviteRedirectUrl: 'https://apps.contoso.example/welcome',
  ...extra,
});

/** Directory audit entries with this activity, newest first, as an administrator sees them over Graph. */
export async function auditEntries(
  admin: GraphClient,
  activity: string,
): Promise<
  Array<{
    activityDisplayName: string;
    category: string;
    initiatedBy: { app: { appId: string } | null; user: { displayName: string | null } | null };
    targetResources: Array<{
      id: string;
      displayName: string;
      modifiedProperties?: Array<{ displayName: string; oldValue: string; newValue: string }>;
    }>;
    additionalDetails: Array<{ key: string; value: string }>;
  }>
> {
  const response = await admin.get(
    `/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activity}'&$top=999`,
  );
  if (response.statusCode !== 200) throw new Error(`auditEntries: ${response.statusCode} ${response.body}`);
  return response.json().value;
}

export async function invitationRow(t: TestApp, id: string): Promise<Selectable<InvitationsTable>> {
  return t.app.services.db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', t.tenant.tenantId)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

export const ticketOf = (redeemUrl: string): string => new URL(redeemUrl).searchParams.get('ticket') ?? '';

/** Whether this redeem URL carries the invitation's one live ticket (tickets are only stored hashed). */
export async function isLiveRedeemUrl(t: TestApp, invitationId: string, redeemUrl: string): Promise<boolean> {
  const row = await invitationRow(t, invitationId);
  return row.ticket_hash === hashTicket(t.app.services, ticketOf(redeemUrl));
}

/** Outbox rows addressed to this address (case-insensitive), oldest first. */
/** The outbox rows to an address, bodies as the worker would send them (rendered from a template if need be). */
export async function outboxTo(t: TestApp, address: string) {
  const rows = await t.app.services.db.selectFrom('mail_outbox').selectAll().orderBy('created_at').execute();
  return rows
    .map(withBodies)
    .filter((row) =>
      (JSON.parse(row.to_addresses) as Array<{ address: string }>).some(
        (to) => to.address.toLowerCase() === address.toLowerCase(),
      ),
    );
}

/** A row with its body columns filled as every reader sees them (src/mail/templated.ts renders on read). */
export function withBodies<R extends Selectable<MailOutboxTable>>(row: R): R {
  const { html, text } = toOutboxMail(row);
  return { ...row, html_body: html, text_body: text };
}

export const mailsTo = (messages: CaughtMail[], address: string): CaughtMail[] =>
  messages.filter((m) => m.envelope.to.some((to) => to.toLowerCase() === address.toLowerCase()));

/** The links a recipient can follow in an invitation mail, read from its text part. */
export function linksOf(mail: CaughtMail): { redeem: string; block: string } {
  const text = mail.parsed.text ?? '';
  const redeem = /https:\/\/foyer\.test\/redeem\?ticket=[A-Za-z0-9_-]+/.exec(text)?.[0];
  const block = /https:\/\/foyer\.test\/invitations\/block\?\S+/.exec(text)?.[0];
  if (!redeem || !block) throw new Error(`No redeem or block link in the mail:\n${text}`);
  return { redeem, block };
}

/** The HTML part as a string (mailparser gives `false` when there is none). */
export const htmlOf = (mail: CaughtMail): string =>
  typeof mail.parsed.html === 'string' ? mail.parsed.html : '';

/** The raw header block of a message (everything before the first blank line). */
export const rawHeadersOf = (mail: CaughtMail): string => mail.raw.split(/\r?\n\r?\n/)[0] ?? '';
