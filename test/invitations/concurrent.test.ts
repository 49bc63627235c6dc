import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { invitation } from './support.js';

/**
 * Invitations sent at the same moment (on SQLite they commit together, src/db/group-commit.ts): each gets its own
 * answer, a refused one leaves nothing behind and costs the others nothing, and two for one address give one guest.
 */
describe.each(testDialects())('concurrent invitations on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  const count = async (filter: string) =>
    (await admin.get(`/v1.0/users?$filter=${filter}&$count=true`)).json()['@odata.count'];

  it('one refused among many: the others are created, the refused one leaves no guest', async () => {
    const member = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Mona',
      mailNickname: 'mona',
      userPrincipalName: 'mona@contoso.foyer.localhost',
      mail: 'mona@fabrikam.com',
      passwordProfile: { password: 'a-long-enough-password' },
    });
    expect(member.statusCode, member.body).toBe(201);
    const addresses = Array.from({ length: 12 }, (_, i) =>
      i === 5 ? 'mona@fabrikam.com' : `c${i}@fabrikam.com`,
    );
    const responses = await Promise.all(
      addresses.map((address) =>
        admin.post(
          '/v1.0/invitations',
          invitation(address, { invitedUserDisplayName: `Concurrent ${address}` }),
        ),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(addresses.map((_, i) => (i === 5 ? 400 : 201)));
    expect(responses[5]!.json().error.code).toBe('Request_InvitedUserIsMember');
    for (const [i, response] of responses.entries()) {
      if (i === 5) continue;
      const guest = await admin.get(`/v1.0/users/${response.json().invitedUser.id}?$select=mail`);
      expect(guest.json().mail).toBe(addresses[i]);
    }
    expect(await count("startswith(displayName,'Concurrent ')")).toBe(11);
  });

  it('two invitations of one address at once give one guest and two answers naming it', async () => {
    const [first, second] = await Promise.all([
      admin.post('/v1.0/invitations', invitation('twice@fabrikam.com')),
      admin.post('/v1.0/invitations', invitation('TWICE@fabrikam.com')),
    ]);
    expect([first!.statusCode, second!.statusCode]).toEqual([201, 201]);
    expect(second!.json().invitedUser.id).toBe(first!.json().invitedUser.id);
    expect(await count("mail eq 'twice@fabrikam.com'")).toBe(1);
  });
});
