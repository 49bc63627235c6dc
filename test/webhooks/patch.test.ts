import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, callerWithPermissions, type GraphClient } from '../helpers/graph.js';

/** PATCH /v1.0/webhooks/{id}: URL, events, description, enabled; a disabled endpoint gets no new deliveries. */
describe.each(testDialects())('editing a webhook endpoint on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { env: { FOYER_INVITE_RATE_LIMIT: '0' } });
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  const deliveriesOf = async (id: string) =>
    (await admin.get(`/v1.0/webhooks/${id}/deliveries`)).json().value as unknown[];
  const invite = async (email: string) =>
    expect(
      (
        await admin.post('/v1.0/invitations', {
          invitedUserEmailAddress: email,
          inviteRedirectUrl: 'https://apps.contoso.example',
        })
      ).statusCode,
    ).toBe(201);

  it('changes URL, events and description, keeps the secret hidden, and a disabled endpoint receives nothing', async () => {
    const created = await admin.post('/v1.0/webhooks', {
      url: 'https://hooks.example/a',
      events: ['guest.left'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, secret } = created.json();
    expect(created.json().enabled).toBe(true);

    const patched = await admin.patch(`/v1.0/webhooks/${id}`, {
      url: 'https://hooks.example/b',
      events: ['invitation.created', 'invitation.revoked'],
      description: 'CRM',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      id,
      url: 'https://hooks.example/b',
      events: ['invitation.created', 'invitation.revoked'],
      description: 'CRM',
      enabled: true,
    });
    expect(patched.body).not.toContain(secret);
    await invite('patched1@fabrikam.example');
    expect(await deliveriesOf(id)).toHaveLength(1);

    const disabled = await admin.patch(`/v1.0/webhooks/${id}`, { enabled: false });
    expect(disabled.json().enabled).toBe(false);
    expect((await admin.get(`/v1.0/webhooks/${id}`)).json()).toMatchObject({
      enabled: false,
      url: 'https://hooks.example/b',
    });
    await invite('patched2@fabrikam.example');
    expect(await deliveriesOf(id)).toHaveLength(1);

    await admin.patch(`/v1.0/webhooks/${id}`, { enabled: true });
    await invite('patched3@fabrikam.example');
    expect(await deliveriesOf(id)).toHaveLength(2);

    // Where guest events go is security-relevant: every change is audited, with old and new values.
    expect((await admin.delete(`/v1.0/webhooks/${id}`)).statusCode).toBe(204);
    const audits = (
      await admin.get(
        "/v1.0/auditLogs/directoryAudits?$filter=startswith(activityDisplayName,'Update webhook')",
      )
    ).json().value as Array<{
      targetResources: Array<{ modifiedProperties: Array<Record<string, string>> }>;
    }>;
    expect(audits).toHaveLength(3);
    const changedUrl = audits
      .flatMap((a) => a.targetResources[0]!.modifiedProperties)
      .find((m) => m.displayName === 'url');
    expect(changedUrl).toMatchObject({
      oldValue: '"https://hooks.example/a"',
      newValue: '"https://hooks.example/b"',
    });
    const all = JSON.stringify((await admin.get('/v1.0/auditLogs/directoryAudits?$top=100')).json().value);
    expect(all).toContain('Add webhook endpoint');
    expect(all).toContain('Delete webhook endpoint');
  });

  it('validates a PATCH as a POST, and only this tenant’s administrators may make one', async () => {
    const { id } = (
      await admin.post('/v1.0/webhooks', { url: 'https://hooks.example/c', events: ['guest.left'] })
    ).json();
    for (const [body, message] of [
      [{ url: 'ftp://hooks.example/x' }, /must use https/],
      [{ events: [] }, /at least one event/],
      [{ events: ['user.created'] }, /events/],
      [{}, /nothing to change/],
      [{ secret: 'mine' }, /secret/],
      [{ enabled: 'yes' }, /enabled/],
      [{ url: `https://hooks.example/${'a'.repeat(5000)}` }, /url/],
      [{ description: 'a\u0000b' }, /NUL/],
      [{ description: 'x'.repeat(100_000) }, /description/],
    ] as const) {
      const refused = await admin.patch(`/v1.0/webhooks/${id}`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().error.message, JSON.stringify(body)).toMatch(message);
    }
    const inviter = await callerWithPermissions(t, admin, ['User.Invite.All']);
    expect((await inviter.patch(`/v1.0/webhooks/${id}`, { enabled: false })).statusCode).toBe(403);
    const other = await callerFor(t, await provisionOtherTenant(t));
    expect((await other.patch(`/v1.0/webhooks/${id}`, { enabled: false })).statusCode).toBe(404);
    expect((await admin.patch('/v1.0/webhooks/not-a-uuid', { enabled: false })).statusCode).toBe(400);
    expect((await admin.get(`/v1.0/webhooks/${id}`)).json().enabled).toBe(true);
  });

  it('two deletes of one endpoint at once: one succeeds and is audited once, the other is a 404', async () => {
    const { id } = (
      await admin.post('/v1.0/webhooks', { url: 'https://hooks.example/twice', events: ['guest.left'] })
    ).json();
    const statuses = (
      await Promise.all([admin.delete(`/v1.0/webhooks/${id}`), admin.delete(`/v1.0/webhooks/${id}`)])
    ).map((response) => response.statusCode);
    expect(statuses.sort()).toEqual([204, 404]);
    const audits = (await admin.get('/v1.0/auditLogs/directoryAudits?$top=100')).json().value as Array<{
      activityDisplayName: string;
      targetResources: Array<{ id: string }>;
    }>;
    const deleted = audits.filter(
      (entry) =>
        entry.activityDisplayName === 'Delete webhook endpoint' &&
        entry.targetResources.some((r) => r.id === id),
    );
    expect(deleted).toHaveLength(1);
  });
});
