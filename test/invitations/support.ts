import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { connectDatabase } from '../../src/db/connect.js';
import type { InvitationsTable } from '../../src/db/schema.js';
import { hashTicket } from '../../src/invitations/tickets.js';
import { smtpTransport } from '../../src/mail/transports.js';
import type { MailLogger } from '../../src/mail/worker.js';
import { type MailWorker, startMailWorker } from '../../src/mail/worker.js';
import type { Clock } from '../../src/platform/clock.js';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { buildTestApp, TEST_BASE_URL, TEST_SECRET, type TestApp } from '../helpers/build-test-app.js';
import type { DialectName } from '../helpers/database.js';
import { adminCaller, type GraphCaller, graphCaller } from '../helpers/graph.js';
import { type CaughtMail, type SmtpCatcher, startSmtpCatcher } from '../helpers/smtp-catcher.js';
import { appToken } from '../helpers/tokens.js';

/** A POST /v1.0/invitations body. */
export const invitation = (email: string, extra: Record<string, unknown> = {}) => ({
  invitedUserEmailAddress: email,
  inviteRedirectUrl: 'https://apps.contoso.example/welcome',
  ...extra,
});

export interface MovableClock extends Clock {
  advance(ms: number): void;
  /** Back to real time. */
  reset(): void;
}

/**
 * Real time plus an offset the test moves. oidc-provider issues tokens at real time while the directory API
 * verifies them with services.clock, so API calls only work while the offset stays inside a token's hour;
 * tests that jump days ahead drive the jobs through services and come back (reset) before calling the API.
 */
export function movableClock(): MovableClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
    reset() {
      offset = 0;
    },
  };
}

export const DAY_MS = 86_400_000;

export const silentMailLogger: MailLogger = { info() {}, warn() {}, error() {} };

/**
 * Another Foyer instance on the test app's database (its own connection pool), configured as buildTestApp
 * configures the first: same secret, so the tokens of one are valid on the other. Meaningful on PostgreSQL
 * (an in-memory SQLite database cannot be shared).
 */
export async function secondInstance(
  t: TestApp,
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const database = await connectDatabase(t.databaseUrl, { poolSize: 5 });
  const app = await buildApp({
    config: {
      ...loadConfig({ FOYER_ENV: 'test', FOYER_BASE_URL: TEST_BASE_URL, ...options.env }),
      secret: TEST_SECRET,
    },
    database,
    logger: false,
    ...(options.clock && { clock: options.clock }),
  });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** A caller holding the automation app token of another provisioned tenant. */
export async function callerFor(t: TestApp, tenant: ProvisionedTenant): Promise<GraphCaller> {
  const token = await appToken(t.app, {
    tenant: tenant.tenantSlug,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
  });
  return graphCaller(t.app, token);
}

/** A new application named `displayName` with exactly `permissions`, and a caller with its token. */
export async function appNamed(
  t: TestApp,
  admin: GraphCaller,
  displayName: string,
  permissions: string[],
): Promise<GraphCaller> {
  const created = await admin.post('/v1.0/applications', { displayName });
  if (created.statusCode !== 201) throw new Error(`appNamed: ${created.statusCode} ${created.body}`);
  const { id, appId } = created.json() as { id: string; appId: string };
  await admin.post(`/v1.0/applications/${id}/grantedPermissions`, { permissions });
  const secret = (await admin.post(`/v1.0/applications/${id}/addPassword`, {})).json().secretText as string;
  const token = await appToken(t.app, { tenant: t.tenant.tenantSlug, clientId: appId, clientSecret: secret });
  return graphCaller(t.app, token);
}

/** Directory audit entries with this activity, newest first, as an administrator sees them over Graph. */
export async function auditEntries(
  admin: GraphCaller,
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
export async function outboxTo(t: TestApp, address: string) {
  const rows = await t.app.services.db.selectFrom('mail_outbox').selectAll().orderBy('created_at').execute();
  return rows.filter((row) =>
    (JSON.parse(row.to_addresses) as Array<{ address: string }>).some(
      (to) => to.address.toLowerCase() === address.toLowerCase(),
    ),
  );
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

export interface MailingApp {
  t: TestApp;
  admin: GraphCaller;
  catcher: SmtpCatcher;
  worker: MailWorker;
  close(): Promise<void>;
}

/**
 * A whole app whose mail goes over real SMTP to an in-process catcher, with its own outbox worker (tests call
 * `worker.drain()`, or let it poll every `pollMs`).
 */
export async function mailingTestApp(
  dialect: DialectName,
  options: { clock?: Clock; env?: Record<string, string>; pollMs?: number } = {},
): Promise<MailingApp> {
  const catcher = await startSmtpCatcher();
  const t = await buildTestApp(dialect, {
    env: { FOYER_SMTP_URL: catcher.url, ...options.env },
    ...(options.clock && { clock: options.clock }),
  });
  const admin = await adminCaller(t);
  const transport = smtpTransport(catcher.url);
  const worker = startMailWorker(t.app.services, transport, {
    pollMs: options.pollMs ?? 60_000,
    logger: silentMailLogger,
  });
  return {
    t,
    admin,
    catcher,
    worker,
    async close() {
      await worker.stop();
      await transport.close();
      await t.close();
      await catcher.close();
    },
  };
}
