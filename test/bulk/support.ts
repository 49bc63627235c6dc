import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/app/services.js';
import { startBulkRunner } from '../../src/bulk/runner.js';
import { silentMailLogger, type TestApp } from '../helpers/build-test-app.js';

export const HEADER = 'email,displayName,redirectUrl,message,language';
export const REDIRECT = 'https://apps.contoso.example/welcome';

/** A bulk file: the header, then one line per address (display name and redirect URL filled in). */
export function csvFor(emails: string[], header = HEADER): string {
  return [header, ...emails.map((e, i) => `${e},Guest ${i + 1},${REDIRECT},,`)].join('\r\n');
}

export function postCsv(
  app: FastifyInstance,
  token: string,
  body: string | Buffer,
  query = '',
  contentType = 'text/csv',
) {
  return app.inject({
    method: 'POST',
    url: `/v1.0/invitations/bulk${query}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    payload: body,
  });
}

export async function getJob(app: FastifyInstance, token: string, id: string) {
  return app.inject({
    method: 'GET',
    url: `/v1.0/invitations/bulk/${id}`,
    headers: { authorization: `Bearer ${token}` },
  });
}

export async function results(app: FastifyInstance, token: string, id: string) {
  const response = await app.inject({
    method: 'GET',
    url: `/v1.0/invitations/bulk/${id}/results`,
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    response,
    rows: parse(response.body, { columns: true }) as Array<{
      email: string;
      status: string;
      userId: string;
      error: string;
    }>,
  };
}

/** Runs every job to its end on this app's services. */
export async function runJobs(services: Services): Promise<void> {
  const runner = startBulkRunner(services, { pollMs: 60_000, logger: silentMailLogger });
  await runner.drain();
  await runner.stop();
}

/** Invitation mails queued in the outbox, per recipient address (lower case). */
export async function invitationMailsByAddress(t: TestApp): Promise<Map<string, number>> {
  const mails = await t.app.services.db
    .selectFrom('mail_outbox')
    .select('to_addresses')
    .where('tenant_id', '=', t.tenant.tenantId)
    .where('category', '=', 'invitation')
    .execute();
  const counts = new Map<string, number>();
  for (const mail of mails) {
    for (const to of JSON.parse(mail.to_addresses) as Array<{ address: string }>) {
      const key = to.address.toLowerCase();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** Guests of the tenant per address (lower case), as the Graph API lists them. */
export async function guestsByAddress(t: TestApp): Promise<Map<string, number>> {
  const guests = await t.app.services.db
    .selectFrom('users')
    .select('mail')
    .where('tenant_id', '=', t.tenant.tenantId)
    .where('user_type', '=', 'Guest')
    .execute();
  const counts = new Map<string, number>();
  for (const g of guests) {
    const key = (g.mail ?? '').toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
