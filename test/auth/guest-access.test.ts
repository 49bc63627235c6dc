import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestRoles } from '../../src/policies/schemas.js';
import { testDialects } from '../helpers/database.js';
import { type AuthContext, authContext, expectGraphError, newGroup } from './support.js';

/**
 * What a guest sees follows authorizationPolicy.guestUserRoleId (Graph): same as members; limited (the default:
 * its own profile, and the basic profile of the groups it belongs to and of their members); restricted (its
 * own profile only). Scopes still apply: these guests sign in with the default delegated scopes plus group read.
 */
describe.each(testDialects())('guest access levels on %s', (dialect) => {
  let ctx: AuthContext;
  let guestId: string;
  let sharedGroupId: string;
  let otherGroupId: string;
  let teammateId: string;
  let strangerId: string;
  const scopes = ['User.Read', 'User.ReadBasic.All', 'User.Invite.All', 'GroupMember.Read.All'];
  const setLevel = async (level: string) =>
    expect(
      (await ctx.api.patch('/policies/authorizationPolicy', { guestUserRoleId: level })).statusCode,
    ).toBe(204);
  const asGuest = () => ctx.as(guestId, scopes, { acct: 1 });
  const bind = (id: string) => ({
    '@odata.id': `${ctx.app.services.config.baseUrl}/v1.0/directoryObjects/${id}`,
  });

  beforeAll(async () => {
    ctx = await authContext(dialect);
    guestId = await ctx.guest('visitor@fabrikam.com');
    teammateId = await ctx.member({ jobTitle: 'Teammate' });
    strangerId = await ctx.member();
    sharedGroupId = (await ctx.api.post('/groups', newGroup())).json().id;
    otherGroupId = (await ctx.api.post('/groups', newGroup())).json().id;
    for (const id of [guestId, teammateId]) {
      expect((await ctx.api.post(`/groups/${sharedGroupId}/members/$ref`, bind(id))).statusCode).toBe(204);
    }
  });
  afterAll(() => ctx?.close());

  it('limited (the default): own profile in full, basic profiles of users and groups it shares, nothing else', async () => {
    const guest = await asGuest();
    const me = await guest.get(`/users/${guestId}?$select=id,userType,externalUserState`);
    expect(me.json()).toMatchObject({
      id: guestId,
      userType: 'Guest',
      externalUserState: 'PendingAcceptance',
    });
    expect((await guest.get('/me')).statusCode).toBe(200);

    const teammate = await guest.get(`/users/${teammateId}?$select=id,displayName,jobTitle`);
    expect(teammate.statusCode).toBe(200);
    expect(teammate.json()).toMatchObject({ id: teammateId });
    expect(teammate.json()).not.toHaveProperty('jobTitle');
    expect((await guest.get(`/groups/${sharedGroupId}`)).statusCode).toBe(200);
    const members = await guest.get(`/groups/${sharedGroupId}/members?$select=id,jobTitle`);
    expect(members.statusCode).toBe(200);
    expect(
      members
        .json()
        .value.map((m: { id: string }) => m.id)
        .sort(),
    ).toEqual([guestId, teammateId].sort());
    for (const member of members.json().value) expect(member).not.toHaveProperty('jobTitle');

    for (const path of [
      `/users/${strangerId}`,
      '/users',
      '/groups',
      `/groups/${otherGroupId}`,
      `/groups/${otherGroupId}/members`,
    ]) {
      expectGraphError(await guest.get(path), 403, 'Authorization_RequestDenied');
    }
  });

  it('restricted: its own profile only', async () => {
    await setLevel(guestRoles.restricted);
    try {
      const guest = await asGuest();
      expect((await guest.get(`/users/${guestId}`)).statusCode).toBe(200);
      expect((await guest.get('/me')).statusCode).toBe(200);
      for (const path of [
        `/users/${teammateId}`,
        `/groups/${sharedGroupId}`,
        `/groups/${sharedGroupId}/members`,
        '/users',
      ]) {
        expectGraphError(await guest.get(path), 403, 'Authorization_RequestDenied');
      }
    } finally {
      await setLevel(guestRoles.limited);
    }
  });

  it('same as members: reads the directory like a member (and still writes nothing)', async () => {
    await setLevel(guestRoles.sameAsMembers);
    try {
      const guest = await asGuest();
      expect((await guest.get('/users')).statusCode).toBe(200);
      expect((await guest.get(`/users/${strangerId}`)).statusCode).toBe(200);
      expect((await guest.get('/groups')).statusCode).toBe(200);
      expect((await guest.get(`/groups/${otherGroupId}`)).statusCode).toBe(200);
      expectGraphError(
        await guest.patch(`/users/${strangerId}`, { displayName: 'Guest was here' }),
        403,
        'Authorization_RequestDenied',
      );
    } finally {
      await setLevel(guestRoles.limited);
    }
  });

  it('a change of the guest access level applies to tokens already issued', async () => {
    const guest = await asGuest();
    expectGraphError(await guest.get('/users'), 403, 'Authorization_RequestDenied');
    await setLevel(guestRoles.sameAsMembers);
    try {
      expect((await guest.get('/users')).statusCode).toBe(200);
    } finally {
      await setLevel(guestRoles.limited);
    }
    expectGraphError(await guest.get('/users'), 403, 'Authorization_RequestDenied');
  });
});
