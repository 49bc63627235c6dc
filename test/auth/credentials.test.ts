import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplicationWith } from '../directory/support.js';
import { testDialects } from '../helpers/database.js';
import { type GraphClient, graphClient, V1 } from '../helpers/graph.js';
import { appToken } from '../helpers/tokens.js';
import { ALL_SCOPES, type AuthContext, authContext, expectGraphError } from './support.js';

/**
 * Privilege escalation through credentials: a caller may add a secret to an application, or grant it
 * permissions, only when that application's permissions are within the caller's own.
 */
describe.each(testDialects())('credentials and grants stay within the caller on %s', (dialect) => {
  let ctx: AuthContext;
  let bootstrapId: string;
  beforeAll(async () => {
    ctx = await authContext(dialect);
    const apps = (await ctx.api.get(`/applications?$filter=appId eq '${ctx.tenant.clientId}'`)).json().value;
    bootstrapId = apps[0].id;
  });
  afterAll(() => ctx?.close());

  const secretsOf = async (id: string) =>
    ((await ctx.api.get(`/applications/${id}`)).json().passwordCredentials as unknown[]).length;

  it('an app with only Application.ReadWrite.All cannot add a password to the bootstrap app (and mint its power)', async () => {
    const before = await secretsOf(bootstrapId);
    const writer = await createApplicationWith(ctx, ['Application.ReadWrite.All']);
    const attempt = await writer.api.post(`/applications/${bootstrapId}/addPassword`, {});
    const error = expectGraphError(attempt, 403, 'Authorization_RequestDenied');
    expect(error.message).toContain('Directory.ReadWrite.All');
    expect(attempt.body).not.toContain('secretText');
    expect(await secretsOf(bootstrapId)).toBe(before);
  });

  it('…nor to an app holding any permission it lacks, but may to one within its own (itself, a bare app)', async () => {
    const writer = await createApplicationWith(ctx, ['Application.ReadWrite.All']);
    const reader = await createApplicationWith(ctx, ['User.Read.All']);
    const bare = await createApplicationWith(ctx, []);
    expectGraphError(
      await writer.api.post(`/applications/${reader.id}/addPassword`, {}),
      403,
      'Authorization_RequestDenied',
    );
    expect((await writer.api.post(`/applications/${bare.id}/addPassword`, {})).statusCode).toBe(200);
    expect((await writer.api.post(`/applications/${writer.id}/addPassword`, {})).statusCode).toBe(200);
  });

  it('grants stay within the granter: Directory.ReadWrite.All cannot hand out Policy.ReadWrite.Authorization, even to itself', async () => {
    const directory = await createApplicationWith(ctx, ['Directory.ReadWrite.All']);
    const target = await createApplicationWith(ctx, []);
    for (const id of [target.id, directory.id]) {
      expectGraphError(
        await directory.api.post(`/applications/${id}/grantedPermissions`, {
          permissions: ['Policy.ReadWrite.Authorization'],
        }),
        403,
        'Authorization_RequestDenied',
      );
    }
    expect((await ctx.api.get(`/applications/${target.id}`)).json().grantedPermissions).toEqual([]);
    // What it holds itself (User.Read.All is covered by Directory.ReadWrite.All) it may grant.
    const granted = await directory.api.post(`/applications/${target.id}/grantedPermissions`, {
      permissions: ['User.Read.All'],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    // And it may not mint a secret for the all-powerful bootstrap app either.
    expectGraphError(
      await directory.api.post(`/applications/${bootstrapId}/addPassword`, {}),
      403,
      'Authorization_RequestDenied',
    );
  });

  it('applies to people too: a Global Administrator acts through their scopes', async () => {
    const gaId = await ctx.member();
    await ctx.grantRole(gaId, 'Global Administrator');
    const narrow = await ctx.as(gaId, ['Application.ReadWrite.All']);
    expectGraphError(
      await narrow.post(`/applications/${bootstrapId}/addPassword`, {}),
      403,
      'Authorization_RequestDenied',
    );
    const full = await ctx.as(gaId, ALL_SCOPES);
    expect((await full.post(`/applications/${bootstrapId}/addPassword`, {})).statusCode).toBe(200);
  });
});

/** Taking access away: each removal ends the access at the API (at once here; within 30 s on other instances). */
describe.each(testDialects())('taking access away on %s', (dialect) => {
  let ctx: AuthContext;
  beforeAll(async () => {
    ctx = await authContext(dialect);
  });
  afterAll(() => ctx?.close());

  const tokenOf = (appId: string, secret: string) =>
    appToken(ctx.app, { tenant: ctx.tenant.tenantId, clientId: appId, clientSecret: secret });
  const auditOf = async (activity: string, targetId: string) =>
    (
      (await ctx.api.get(`/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activity}'`)).json()
        .value as Array<{
        targetResources: Array<{ id: string }>;
        additionalDetails: Array<{ key: string; value: string }>;
      }>
    ).filter((entry) => entry.targetResources[0]?.id === targetId);

  it('DELETE /applications/{id}: 204, its tokens stop working, its secret no longer authenticates, audited', async () => {
    const doomed = await createApplicationWith(ctx, ['User.Read.All']);
    expect((await doomed.api.get('/users')).statusCode).toBe(200);
    expect((await ctx.api.delete(`/applications/${doomed.id}`)).statusCode).toBe(204);
    expectGraphError(await doomed.api.get('/users'), 401, 'InvalidAuthenticationToken');
    await expect(tokenOf(doomed.appId, doomed.secretText)).rejects.toThrow(/invalid_client/);
    expectGraphError(await ctx.api.get(`/applications/${doomed.id}`), 404, 'Request_ResourceNotFound');
    expect(await auditOf('Delete application', doomed.id)).toHaveLength(1);
  });

  it('POST /applications/{id}/removePassword: 204, the secret and the tokens it gave stop working; another secret works again', async () => {
    const app = await createApplicationWith(ctx, ['User.Read.All']);
    const second = (await ctx.api.post(`/applications/${app.id}/addPassword`, {})).json();
    const [first] = (await ctx.api.get(`/applications/${app.id}`)).json().passwordCredentials as Array<{
      keyId: string;
    }>;
    expect((await app.api.get('/users')).statusCode).toBe(200);

    const removed = await ctx.api.post(`/applications/${app.id}/removePassword`, { keyId: first!.keyId });
    expect(removed.statusCode, removed.body).toBe(204);
    expectGraphError(await app.api.get('/users'), 401, 'InvalidAuthenticationToken');
    await expect(tokenOf(app.appId, app.secretText)).rejects.toThrow(/invalid_client/);
    // Tokens carry whole seconds: one minted in the second of the removal is refused too, so ask a bit later.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const fresh = graphClient(ctx.app, await tokenOf(app.appId, second.secretText), V1);
    expect((await fresh.get('/users')).statusCode).toBe(200);

    expectGraphError(
      await ctx.api.post(`/applications/${app.id}/removePassword`, { keyId: first!.keyId }),
      404,
      'Request_ResourceNotFound',
    );
    const audits = await auditOf('Update application – Certificates and secrets management', app.id);
    expect(
      audits.some((a) => a.additionalDetails.some((d) => d.key === 'keyId' && d.value === first!.keyId)),
    ).toBe(true);
  });

  it('DELETE /applications/{id}/grantedPermissions/{permission}: 204, the permission stops working with the token already held', async () => {
    const app = await createApplicationWith(ctx, ['User.Read.All', 'Group.Read.All']);
    expect((await app.api.get('/users')).statusCode).toBe(200);
    const revoked = await ctx.api.delete(`/applications/${app.id}/grantedPermissions/User.Read.All`);
    expect(revoked.statusCode, revoked.body).toBe(204);
    expectGraphError(await app.api.get('/users'), 403, 'Authorization_RequestDenied');
    expect((await app.api.get('/groups')).statusCode).toBe(200);
    expect((await ctx.api.get(`/applications/${app.id}`)).json().grantedPermissions).toEqual([
      'Group.Read.All',
    ]);
    expectGraphError(
      await ctx.api.delete(`/applications/${app.id}/grantedPermissions/User.Read.All`),
      404,
      'Request_ResourceNotFound',
    );
    expect(await auditOf('Remove app role assignment from service principal', app.id)).toHaveLength(1);
  });

  it('removing access needs the same rights as giving it', async () => {
    const writer = await createApplicationWith(ctx, ['Application.ReadWrite.All']);
    const victim = await createApplicationWith(ctx, ['User.Read.All']);
    expectGraphError(
      await writer.api.delete(`/applications/${victim.id}/grantedPermissions/User.Read.All`),
      403,
      'Authorization_RequestDenied',
    );
    const reader = await createApplicationWith(ctx, ['Application.Read.All']);
    expectGraphError(
      await reader.api.delete(`/applications/${victim.id}`),
      403,
      'Authorization_RequestDenied',
    );
    expectGraphError(
      await reader.api.post(`/applications/${victim.id}/removePassword`, { keyId: crypto.randomUUID() }),
      403,
      'Authorization_RequestDenied',
    );
    expect((await victim.api.get('/users')).statusCode).toBe(200);
  });

  it('a disabled or deleted user: their delegated tokens stop working', async () => {
    const userId = await ctx.member();
    const user: GraphClient = await ctx.as(userId);
    expect((await user.get('/me')).statusCode).toBe(200);
    expect((await ctx.api.patch(`/users/${userId}`, { accountEnabled: false })).statusCode).toBe(204);
    expectGraphError(await user.get('/me'), 401, 'InvalidAuthenticationToken');
    expect((await ctx.api.patch(`/users/${userId}`, { accountEnabled: true })).statusCode).toBe(204);
    expect((await user.get('/me')).statusCode).toBe(200);
    expect((await ctx.api.delete(`/users/${userId}`)).statusCode).toBe(204);
    expectGraphError(await user.get('/me'), 401, 'InvalidAuthenticationToken');
  });
});
