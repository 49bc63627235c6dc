import type { TestApp } from '../helpers/build-test-app.js';
import type { GraphClient } from '../helpers/graph.js';

/** Invites `email` through the API and returns the redeem path (`/redeem?ticket=…`) and the guest's id. */
export async function inviteGuest(admin: GraphClient, email: string, extra: Record<string, unknown> = {}) {
  const response = await admin.post('/v1.0/invitations', {
    invitedUserEmailAddress: email,
    inviteRedirectUrl: 'https://apps.contoso.example/welcome',
    ...extra,
  });
  if (response.statusCode !== 201) throw new Error(`invite failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { inviteRedeemUrl: string; invitedUser: { id: string } };
  const url = new URL(body.inviteRedeemUrl);
  return { path: `${url.pathname}${url.search}`, guestId: body.invitedUser.id };
}

/** The newest code mailed to an address (read from the outbox, as the dev mailbox would show it). */
export async function latestCode(t: TestApp, email: string): Promise<string> {
  const rows = await t.app.services.db
    .selectFrom('mail_outbox')
    .select(['to_addresses', 'text_body', 'category', 'created_at'])
    .where('category', 'like', 'code.%')
    .orderBy('created_at', 'desc')
    .execute();
  const row = rows.find((r) => r.to_addresses.toLowerCase().includes(email.toLowerCase()));
  const code = row && /\b(\d{8})\b/.exec(row.text_body)?.[1];
  if (!code) throw new Error(`no code was mailed to ${email}`);
  return code;
}

export async function guestOf(t: TestApp, tenantId: string, userId: string) {
  const db = t.app.services.db;
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const identities = await db
    .selectFrom('user_identities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .execute();
  const invitation = await db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { user, identities, invitation };
}
