import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { type CliRun as Run, runFoyer } from '../helpers/cli.js';
import { withBodies } from './support.js';

/**
 * `foyer invite …` as an operator runs it: the real bin/foyer.js in a child process, on a SQLite file. Each
 * start costs ~3 s (tsx compiles the sources), so the commands here are few and run in order.
 */
describe('foyer invite (CLI)', { timeout: 60_000 }, () => {
  let directory: string;
  let env: NodeJS.ProcessEnv;
  let tenantId: string;
  let invitationId: string;
  let firstRedeemUrl: string;

  const foyer = (...args: string[]): Promise<Run> => runFoyer(env, ...args);
  const succeeded = (run: Run) => {
    expect(run.code, run.stderr).toBe(0);
    return run.stdout;
  };

  /** Reads what the commands left in the database, through a connection of the test's own. */
  async function inDatabase<T>(read: (database: Db) => Promise<T>): Promise<T> {
    const database = await connectDatabase(env.FOYER_DATABASE_URL!);
    try {
      return await read(database);
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'foyer-cli-'));
    // Only what the CLI needs: nothing of the test runner's own FOYER_* environment leaks in.
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FOYER_ENV: 'test',
      FOYER_DATABASE_URL: `sqlite:${join(directory, 'foyer.db')}`,
      FOYER_SECRET: 'cli-test-secret-that-is-long-enough-0123456789',
      FOYER_BASE_URL: 'https://foyer.test',
      FOYER_LOG_LEVEL: 'silent',
    };
    const created = JSON.parse(succeeded(await foyer('tenant', 'create', 'Acme', '--slug', 'acme')));
    expect(created).toMatchObject({ tenantSlug: 'acme', tenantName: 'Acme' });
    tenantId = created.tenantId;
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('invite <tenant> <email> --redirect … --send queues the invitation mail, as POST /invitations would', async () => {
    const output = succeeded(
      await foyer(
        'invite',
        'acme',
        'Ada@Fabrikam.com',
        '--redirect',
        'https://apps.acme.example/start',
        '--name',
        'Ada Lovelace',
        '--language',
        'fr-FR',
        '--send',
      ),
    );
    const created = JSON.parse(output);
    expect(created).toMatchObject({
      invitedUserEmailAddress: 'Ada@Fabrikam.com',
      invitedUserDisplayName: 'Ada Lovelace',
      inviteRedirectUrl: 'https://apps.acme.example/start',
      sendInvitationMessage: true,
      status: 'PendingAcceptance',
      invitedUserMessageInfo: { messageLanguage: 'fr-FR' },
    });
    expect(created.inviteRedeemUrl).toMatch(/^https:\/\/foyer\.test\/redeem\?ticket=[A-Za-z0-9_-]{43}$/);
    invitationId = created.id;
    firstRedeemUrl = created.inviteRedeemUrl;

    const { mails, audits } = await inDatabase(async ({ db }) => ({
      mails: await db.selectFrom('mail_outbox').selectAll().where('tenant_id', '=', tenantId).execute(),
      audits: await db
        .selectFrom('audit_logs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('activity_display_name', '=', 'Invite external user')
        .execute(),
    }));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      status: 'pending',
      language: 'fr-FR',
      subject: 'Foyer CLI vous a invité(e) à accéder à des applications de son organisation',
    });
    expect(mails[0] && withBodies(mails[0]).text_body).toContain(firstRedeemUrl);
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0]!.initiated_by)).toMatchObject({
      // The instance operator, not an application: no appId, no service principal.
      app: { appId: null, displayName: 'Foyer CLI', servicePrincipalId: null },
      operator: { displayName: 'Foyer CLI', channel: 'cli' },
    });
  });

  it('invite resend gives a new link and queues its mail in place of the unsent one', async () => {
    const resent = JSON.parse(succeeded(await foyer('invite', 'resend', 'acme', invitationId)));
    expect(resent).toMatchObject({ id: invitationId, status: 'PendingAcceptance' });
    expect(resent.inviteRedeemUrl).toMatch(/^https:\/\/foyer\.test\/redeem\?ticket=/);
    expect(resent.inviteRedeemUrl).not.toBe(firstRedeemUrl);
  });

  // Independent commands run two at a time: each start is CPU-bound and the test worker leaves a core free.
  it('outbox status counts the queued mails; invite revoke revokes', async () => {
    const [status, revoked] = await Promise.all([
      foyer('outbox', 'status'),
      foyer('invite', 'revoke', 'acme', invitationId),
    ]);
    // One: the resend withdrew the first mail, still queued, whose link its new ticket killed.
    expect(JSON.parse(succeeded(status))).toEqual({ pending: 1, sending: 0, sent: 0, failed: 0 });
    expect(succeeded(revoked).trim()).toBe('Revoked.');
    const row = await inDatabase(({ db }) =>
      db.selectFrom('invitations').select('status').where('id', '=', invitationId).executeTakeFirstOrThrow(),
    );
    expect(row.status).toBe('Revoked');
  });

  it('fails with a message and exit code 1, creating nothing: a second revoke, an invalid address', async () => {
    const [again, badEmail] = await Promise.all([
      foyer('invite', 'revoke', 'acme', invitationId),
      foyer('invite', 'acme', 'not-an-email', '--redirect', 'https://apps.acme.example'),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Only a pending invitation can be revoked.');
    expect(again.stderr).not.toContain('    at '); // a message, not a stack trace
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toContain("'not-an-email' is not a valid email address");
    const users = await inDatabase(({ db }) =>
      db
        .selectFrom('users')
        .select('mail')
        .where('tenant_id', '=', tenantId)
        .where('user_type', '=', 'Guest')
        .execute(),
    );
    expect(users.map((u) => u.mail)).toEqual(['Ada@Fabrikam.com']);
  });

  it('refuses to invite a member’s UPN (a member without mail), creating no guest', async () => {
    succeeded(
      await foyer('user', 'create', 'acme', 'bea@acme.foyer.localhost', '--password', 'a-long-password'),
    );
    const run = await foyer(
      'invite',
      'acme',
      'Bea@acme.foyer.localhost',
      '--redirect',
      'https://apps.acme.example',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already belongs to a member of this organization');
    const guests = await inDatabase(({ db }) =>
      db
        .selectFrom('users')
        .select('mail')
        .where('tenant_id', '=', tenantId)
        .where('user_type', '=', 'Guest')
        .execute(),
    );
    expect(guests.map((u) => u.mail)).toEqual(['Ada@Fabrikam.com']);
  });
});
