import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInvitationDomainAllowed } from '../../src/policies/service.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';

// The check redemption runs again (PRODUCT §4.1, §5): the policy may have changed while an invitation was pending.
describe.each(testDialects())('the domain check redemption uses, on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it('follows the policy as it is now, not as it was when the invitation was sent', async () => {
    const invited = await admin.post('/v1.0/invitations', {
      invitedUserEmailAddress: 'later@sub.partner.example',
      inviteRedirectUrl: 'https://apps.example/',
    });
    expect(invited.statusCode).toBe(201);
    const check = () =>
      assertInvitationDomainAllowed(t.app.services.db, t.tenant.tenantId, 'later@sub.partner.example');
    await expect(check()).resolves.toBeUndefined();

    await admin.patch('/v1.0/policies/b2bManagementPolicy', {
      invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['*.partner.example'] },
    });
    await expect(check()).rejects.toMatchObject({ code: 'Request_InvitationDomainNotAllowed', status: 400 });

    await admin.patch('/v1.0/policies/b2bManagementPolicy', {
      invitationsAllowedAndBlockedDomainsPolicy: { allowedDomains: ['sub.partner.example'] },
    });
    await expect(check()).resolves.toBeUndefined();
  });
});
