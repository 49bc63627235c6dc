import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/database.js';
import { type AuthContext, authContext, expectGraphError } from './support.js';

describe.each(testDialects())('GET /v1.0/me on %s', (dialect) => {
  let ctx: AuthContext;
  let userId: string;
  beforeAll(async () => {
    ctx = await authContext(dialect);
    userId = await ctx.member({ jobTitle: 'Cartographer', preferredLanguage: 'fr-FR' });
  });
  afterAll(() => ctx?.close());

  it("returns the signed-in user in Graph's user shape, the default properties like GET /users/{id}", async () => {
    const me = await (await ctx.as(userId)).get('/me');
    expect(me.statusCode).toBe(200);
    const byId = (await ctx.api.get(`/users/${userId}`)).json();
    expect(me.json()).toEqual({
      ...byId,
      '@odata.context': 'https://foyer.test/v1.0/$metadata#users/$entity',
    });
    expect(me.json()).toMatchObject({ id: userId, jobTitle: 'Cartographer', preferredLanguage: 'fr-FR' });
  });

  it('honours $select, and refuses unknown properties like GET /users/{id}', async () => {
    const caller = await ctx.as(userId);
    const me = await caller.get('/me?$select=id,userType,accountEnabled');
    expect(me.json()).toEqual({
      '@odata.context': 'https://foyer.test/v1.0/$metadata#users(id,userType,accountEnabled)/$entity',
      id: userId,
      userType: 'Member',
      accountEnabled: true,
    });
    const byId = await ctx.api.get(`/users/${userId}?$select=nope`);
    expectGraphError(await caller.get('/me?$select=nope'), 400, byId.json().error.code);
  });

  it('needs a scope that lets a user read itself', async () => {
    expectGraphError(
      await (await ctx.as(userId, ['User.Invite.All'])).get('/me'),
      403,
      'Authorization_RequestDenied',
    );
  });

  it("an app-only token gets Graph's 400 for /me", async () => {
    const error = expectGraphError(await ctx.api.get('/me'), 400, 'Request_BadRequest');
    expect(error.message).toBe('/me request is only valid with delegated authentication flow.');
  });
});
