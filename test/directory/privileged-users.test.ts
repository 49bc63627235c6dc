import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerWithPermissions, type GraphClient } from '../helpers/graph.js';

describe.each(testDialects())('users holding a directory role, on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let userWriter: GraphClient;
  let globalAdminId: string;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    userWriter = await callerWithPermissions(t, admin, ['User.ReadWrite.All']);
    const upn = t.tenant.adminUserPrincipalName;
    globalAdminId = (await admin.get(`/v1.0/users/${upn}`)).json().id;
  });
  afterAll(() => t.close());

  it('User.ReadWrite.All cannot reset a Global Administrator password, disable or delete it', async () => {
    for (const body of [
      { passwordProfile: { password: 'taken-over-password-123' } },
      { accountEnabled: false },
      { userPrincipalName: `owned@${t.tenant.tenantSlug}.foyer.localhost` },
      { mail: 'attacker@evil.example' },
    ]) {
      const response = await userWriter.patch(`/v1.0/users/${globalAdminId}`, body);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('Authorization_RequestDenied');
    }
    const deleted = await userWriter.delete(`/v1.0/users/${globalAdminId}`);
    expect(deleted.statusCode).toBe(403);
    const still = (
      await admin.get(`/v1.0/users/${globalAdminId}?$select=accountEnabled,userPrincipalName`)
    ).json();
    expect(still).toMatchObject({ accountEnabled: true, userPrincipalName: t.tenant.adminUserPrincipalName });
  });

  it('User.ReadWrite.All may still change non-sensitive properties of that user, and manage ordinary users', async () => {
    expect((await userWriter.patch(`/v1.0/users/${globalAdminId}`, { jobTitle: 'Boss' })).statusCode).toBe(
      204,
    );
    const created = await userWriter.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Ordinary',
      mailNickname: 'ordinary',
      userPrincipalName: `ordinary@${t.tenant.tenantSlug}.foyer.localhost`,
      passwordProfile: { password: 'an-ordinary-password' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await userWriter.patch(`/v1.0/users/${id}`, { accountEnabled: false })).statusCode).toBe(204);
    expect((await userWriter.delete(`/v1.0/users/${id}`)).statusCode).toBe(204);
  });

  it('Directory.ReadWrite.All may manage a role holder', async () => {
    const response = await admin.patch(`/v1.0/users/${globalAdminId}`, {
      passwordProfile: { password: 'rotated-by-directory-admin' },
    });
    expect(response.statusCode).toBe(204);
  });
});
