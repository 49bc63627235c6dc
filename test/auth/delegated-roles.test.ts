import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRINCIPAL_CACHE_MS } from '../../src/auth/resolve.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { delegatedToken } from '../helpers/delegated-token.js';
import { graphClient, V1 } from '../helpers/graph.js';
import { ALL_SCOPES, type AuthContext, authContext, expectGraphError, newGroup, newUser } from './support.js';

/**
 * Delegated calls: a person through a client. The call needs a delegated scope that grants the operation AND
 * the person's own right, from their directory roles (read from the directory, never from the token).
 */
describe.each(testDialects())('delegated users on %s', (dialect) => {
  let ctx: AuthContext;
  const clock = movableClock();
  let groupId: string;
  let someoneId: string;
  beforeAll(async () => {
    ctx = await authContext(dialect, { clock });
    groupId = (await ctx.api.post('/groups', newGroup())).json().id;
    someoneId = await ctx.member();
  });
  afterAll(() => ctx?.close());

  const invite = (email: string, extra: Record<string, unknown> = {}) => ({
    invitedUserEmailAddress: email,
    inviteRedirectUrl: 'https://app.contoso.example/',
    ...extra,
  });

  it('a member without a role reads users and groups, but writes neither', async () => {
    const member = await ctx.as(await ctx.member(), ALL_SCOPES);
    expect((await member.get('/users')).statusCode).toBe(200);
    expect((await member.get(`/users/${someoneId}`)).statusCode).toBe(200);
    expect((await member.get('/groups')).statusCode).toBe(200);
    expect((await member.get(`/groups/${groupId}/members`)).statusCode).toBe(200);
    expect((await member.get('/organization')).statusCode).toBe(200);
    for (const response of [
      await member.post('/users', newUser(ctx.domain)),
      await member.patch(`/users/${someoneId}`, { displayName: 'Changed' }),
      await member.delete(`/users/${someoneId}`),
      await member.post('/groups', newGroup()),
      await member.patch(`/groups/${groupId}`, { displayName: 'Changed' }),
      await member.get('/applications'),
      await member.post('/applications', { displayName: 'Mine' }),
      await member.get('/auditLogs/directoryAudits'),
      await member.get('/policies/authorizationPolicy'),
    ]) {
      expectGraphError(response, 403, 'Authorization_RequestDenied');
    }
    expect((await ctx.api.get(`/users/${someoneId}`)).json().displayName).not.toBe('Changed');
  });

  it('a Guest Inviter invites even when only admins and guest inviters may, and a plain member then may not', async () => {
    expect(
      (await ctx.api.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'adminsAndGuestInviters' }))
        .statusCode,
    ).toBe(204);
    try {
      const inviterId = await ctx.member();
      await ctx.grantRole(inviterId, 'Guest Inviter');
      const inviter = await ctx.as(inviterId);
      expect((await inviter.post('/invitations', invite('gi-guest@fabrikam.com'))).statusCode).toBe(201);
      // A Guest Inviter is not an administrator: no Member invitations, no user writes.
      expectGraphError(
        await inviter.post('/invitations', invite('gi-member@fabrikam.com', { invitedUserType: 'Member' })),
        403,
        'Authorization_RequestDenied',
      );
      const plain = await ctx.as(await ctx.member());
      expectGraphError(
        await plain.post('/invitations', invite('plain@fabrikam.com')),
        403,
        'Authorization_RequestDenied',
      );
    } finally {
      await ctx.api.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'everyone' });
    }
  });

  it('a User Administrator manages users, groups and invitations and reads audit logs, but not applications or policies', async () => {
    const adminId = await ctx.member();
    await ctx.grantRole(adminId, 'User Administrator');
    const admin = await ctx.as(adminId, ALL_SCOPES);
    const created = await admin.post('/users', newUser(ctx.domain));
    expect(created.statusCode, created.body).toBe(201);
    expect((await admin.patch(`/users/${created.json().id}`, { displayName: 'Renamed' })).statusCode).toBe(
      204,
    );
    const group = await admin.post('/groups', newGroup());
    expect(group.statusCode).toBe(201);
    expect(
      (
        await admin.post(`/groups/${group.json().id}/members/$ref`, {
          '@odata.id': `${ctx.app.services.config.baseUrl}/v1.0/directoryObjects/${created.json().id}`,
        })
      ).statusCode,
    ).toBe(204);
    const member = await admin.post(
      '/invitations',
      invite('ua-member@fabrikam.com', { invitedUserType: 'Member' }),
    );
    expect(member.statusCode, member.body).toBe(201);
    expect((await admin.get('/auditLogs/directoryAudits')).statusCode).toBe(200);
    expect((await admin.delete(`/users/${created.json().id}`)).statusCode).toBe(204);
    expectGraphError(await admin.get('/applications'), 403, 'Authorization_RequestDenied');
    expectGraphError(
      await admin.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'none' }),
      403,
      'Authorization_RequestDenied',
    );
  });

  it('a Global Administrator does everything, and is audited as the user it is', async () => {
    const gaId = await ctx.member();
    await ctx.grantRole(gaId, 'Global Administrator');
    const ga = await ctx.as(gaId, ALL_SCOPES);
    expect((await ga.get('/applications')).statusCode).toBe(200);
    const app = await ga.post('/applications', { displayName: 'By the GA' });
    expect(app.statusCode).toBe(201);
    expect((await ga.get('/policies/authorizationPolicy')).statusCode).toBe(200);
    expect(
      (await ga.patch('/policies/authorizationPolicy', { allowInvitesFrom: 'everyone' })).statusCode,
    ).toBe(204);
    const audits = (
      await ctx.api.get(`/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Add application'`)
    ).json().value as Array<{
      initiatedBy: { user: { id: string } | null };
      targetResources: Array<{ id: string }>;
    }>;
    const entry = audits.find((a) => a.targetResources[0]?.id === app.json().id);
    expect(entry?.initiatedBy.user?.id).toBe(gaId);
  });

  it('needs BOTH a scope and the right: a Global Administrator with the sign-in default scopes cannot write users, a member with User.ReadWrite.All cannot either', async () => {
    const gaId = await ctx.member();
    await ctx.grantRole(gaId, 'Global Administrator');
    const gaDefault = await ctx.as(gaId);
    expectGraphError(await gaDefault.post('/users', newUser(ctx.domain)), 403, 'Authorization_RequestDenied');
    expectGraphError(await gaDefault.get('/groups'), 403, 'Authorization_RequestDenied');
    const member = await ctx.as(await ctx.member(), ['User.ReadWrite.All', 'Directory.ReadWrite.All']);
    expectGraphError(await member.post('/users', newUser(ctx.domain)), 403, 'Authorization_RequestDenied');
  });

  it('User.Read reads oneself only; User.ReadBasic.All adds the basic profile of others', async () => {
    const meId = await ctx.member({ jobTitle: 'Engineer' });
    const selfOnly = await ctx.as(meId, ['User.Read']);
    expect((await selfOnly.get(`/users/${meId}`)).json()).toMatchObject({ id: meId, jobTitle: 'Engineer' });
    expectGraphError(await selfOnly.get(`/users/${someoneId}`), 403, 'Authorization_RequestDenied');
    expectGraphError(await selfOnly.get('/users'), 403, 'Authorization_RequestDenied');

    const basic = await ctx.as(meId, ['User.Read', 'User.ReadBasic.All']);
    const other = await basic.get(`/users/${someoneId}?$select=id,displayName,mail,jobTitle,accountEnabled`);
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ id: someoneId, displayName: expect.any(String) });
    expect(other.json()).not.toHaveProperty('accountEnabled');
    expect(other.json()).not.toHaveProperty('jobTitle');
    const list = await basic.get('/users?$select=id,displayName,accountEnabled');
    expect(list.statusCode).toBe(200);
    for (const user of list.json().value) expect(user).not.toHaveProperty('accountEnabled');
    // Nor can it learn hidden properties by filtering on them.
    expectGraphError(
      await basic.get('/users?$filter=accountEnabled eq false'),
      403,
      'Authorization_RequestDenied',
    );
    expectGraphError(
      await basic.get("/users?$filter=identities/any(i:i/issuer eq 'mail')"),
      403,
      'Authorization_RequestDenied',
    );
    expect((await basic.get("/users?$filter=startswith(displayName,'Person')")).statusCode).toBe(200);

    const full = await ctx.as(meId, ['User.Read.All']);
    expect((await full.get(`/users/${someoneId}?$select=accountEnabled`)).json()).toMatchObject({
      accountEnabled: true,
    });
  });

  it('roles come from the directory, not the token: a forged roles claim grants nothing, a role granted later works at once', async () => {
    const userId = await ctx.member();
    const forged = graphClient(
      ctx.app,
      await delegatedToken(ctx.app, {
        tenantId: ctx.tenant.tenantId,
        userId,
        scopes: ALL_SCOPES,
        claims: { roles: ['Global Administrator'], wids: ['62e90394-69f5-4237-9190-012177145e10'] },
      }),
      V1,
    );
    expectGraphError(await forged.post('/users', newUser(ctx.domain)), 403, 'Authorization_RequestDenied');
    await ctx.grantRole(userId, 'User Administrator');
    // What the directory says about a caller is reused for at most PRINCIPAL_CACHE_MS on each instance.
    clock.advance(PRINCIPAL_CACHE_MS + 1_000);
    const created = await forged.post('/users', newUser(ctx.domain));
    expect(created.statusCode, created.body).toBe(201);
  });
});
