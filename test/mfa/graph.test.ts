import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { expectGraphError } from '../directory/support.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, callerWithPermissions, type GraphClient } from '../helpers/graph.js';
import { follow } from '../helpers/oidc-app.js';
import {
  codeAt,
  isEnrolPage,
  openApp,
  passwordSignIn,
  REDIRECT,
  registerApp,
  setPolicy,
  shownSecret,
} from './support.js';

const PARTNERS = '/v1.0/policies/crossTenantAccessPolicy/partners';
const OUTSIDER = '0b1f5c3e-7a52-4a3e-9d61-3f0c2b8f9a10';

async function auditsOf(client: GraphClient, activity: string) {
  const response = await client.get(
    `/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activity}'`,
  );
  return (response.json() as { value: Array<Record<string, unknown>> }).value;
}

/**
 * The Graph side of MFA: b2bManagementPolicy's MFA fields, a user's softwareOathMethods (the administrator's reset)
 * and crossTenantAccessPolicy/partners — shapes, permissions, validation, tenant isolation and audit.
 */
describe.each(testDialects())('MFA through Graph (%s)', (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let admin: GraphClient;
  let fabrikam: ProvisionedTenant;
  let fabrikamAdmin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock });
    admin = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
    fabrikamAdmin = await callerFor(t, fabrikam);
  });
  afterAll(() => t.close());

  it('b2bManagementPolicy has mfaRequiredForGuests and mfaRequiredForMembers, false by default, audited', async () => {
    const before = await admin.get('/v1.0/policies/b2bManagementPolicy');
    expect(before.json()).toMatchObject({ mfaRequiredForGuests: false, mfaRequiredForMembers: false });
    expectGraphError(
      await admin.patch('/v1.0/policies/b2bManagementPolicy', { mfaRequiredForGuests: 'yes' }),
      400,
      'Request_BadRequest',
    );
    await setPolicy(admin, { mfaRequiredForGuests: true });
    const after = await admin.get('/v1.0/policies/b2bManagementPolicy');
    expect(after.json()).toMatchObject({ mfaRequiredForGuests: true, mfaRequiredForMembers: false });
    const [entry] = await auditsOf(admin, 'Update external collaboration settings');
    expect(entry).toMatchObject({
      targetResources: [
        {
          modifiedProperties: [{ displayName: 'mfaRequiredForGuests', oldValue: 'false', newValue: 'true' }],
        },
      ],
    });
    // Another tenant's policy is its own.
    expect((await fabrikamAdmin.get('/v1.0/policies/b2bManagementPolicy')).json()).toMatchObject({
      mfaRequiredForGuests: false,
    });
    await setPolicy(admin, { mfaRequiredForGuests: false });
  });

  it('softwareOathMethods: Graph shape, permissions, reset, isolation, audit', async () => {
    await setPolicy(admin, { mfaRequiredForMembers: true });
    const appId = await registerApp(admin);
    const { rp: _rp, browser, page } = await openApp(t, t.tenant.tenantId, appId);
    const enrolment = await passwordSignIn(
      browser,
      page,
      t.tenant.adminUserPrincipalName,
      t.tenant.adminPassword,
    );
    expect(isEnrolPage(enrolment)).toBe(true);
    const userId = (await admin.get(`/v1.0/users/${t.tenant.adminUserPrincipalName}?$select=id`)).json()
      .id as string;
    const methods = `/v1.0/users/${userId}/authentication/softwareOathMethods`;
    // Not confirmed yet: no registered method.
    expect((await admin.get(methods)).json()).toEqual({
      '@odata.context': `https://foyer.test/v1.0/$metadata#users('${userId}')/authentication/softwareOathMethods`,
      value: [],
    });
    const codes = await browser.submit(enrolment, '/mfa', { code: codeAt(shownSecret(enrolment), clock) });
    expect((await follow(browser, await browser.submit(codes, '/mfa'), REDIRECT)).statusCode).toBe(303);

    const listed = (await admin.get(methods)).json() as { value: Array<Record<string, unknown>> };
    expect(listed.value).toEqual([
      {
        '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod',
        id: expect.any(String),
        secretKey: null,
      },
    ]);
    const methodId = listed.value[0]!.id as string;
    const one = await admin.get(`${methods}/${methodId}`);
    expect(one.json()).toMatchObject({ id: methodId, secretKey: null });
    expect(one.body).not.toContain(shownSecret(enrolment));
    // By UPN too, as Graph allows.
    expect(
      (
        await admin.get(`/v1.0/users/${t.tenant.adminUserPrincipalName}/authentication/softwareOathMethods`)
      ).json(),
    ).toMatchObject({
      value: [{ id: methodId }],
    });
    expectGraphError(await admin.get(`${methods}/not-a-method`), 404, 'Request_ResourceNotFound');
    expectGraphError(
      await admin.get(`/v1.0/users/${OUTSIDER}/authentication/softwareOathMethods`),
      404,
      'Request_ResourceNotFound',
    );

    // Permissions: reading needs UserAuthenticationMethod.Read(Write).All, deleting ReadWrite.
    const userReader = await callerWithPermissions(t, admin, ['User.Read.All']);
    expectGraphError(await userReader.get(methods), 403, 'Authorization_RequestDenied');
    const reader = await callerWithPermissions(t, admin, ['UserAuthenticationMethod.Read.All']);
    expect((await reader.get(methods)).statusCode).toBe(200);
    expectGraphError(await reader.delete(`${methods}/${methodId}`), 403, 'Authorization_RequestDenied');
    // Another tenant cannot see or reset it.
    expectGraphError(await fabrikamAdmin.get(methods), 404, 'Request_ResourceNotFound');
    expectGraphError(await fabrikamAdmin.delete(`${methods}/${methodId}`), 404, 'Request_ResourceNotFound');

    const writer = await callerWithPermissions(t, admin, ['UserAuthenticationMethod.ReadWrite.All']);
    expect((await writer.delete(`${methods}/${methodId}`)).statusCode).toBe(204);
    expect((await admin.get(methods)).json()).toMatchObject({ value: [] });
    expectGraphError(await writer.delete(`${methods}/${methodId}`), 404, 'Request_ResourceNotFound');
    const [deleted] = await auditsOf(admin, 'Admin deleted security info');
    expect(deleted).toMatchObject({
      category: 'UserManagement',
      loggedByService: 'Authentication Methods',
      targetResources: [{ id: userId }],
    });
    expect(await auditsOf(admin, 'User registered security info')).toHaveLength(1);
    await setPolicy(admin, { mfaRequiredForMembers: false });
  });

  it('crossTenantAccessPolicy/partners: create, list, get, patch, delete in Graph shape', async () => {
    const created = await admin.post(PARTNERS, {
      tenantId: fabrikam.tenantId,
      inboundTrust: { isMfaAccepted: true },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      '@odata.context': 'https://foyer.test/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity',
      tenantId: fabrikam.tenantId,
      isServiceProvider: null,
      isInMultiTenantOrganization: false,
      inboundTrust: {
        isMfaAccepted: true,
        isCompliantDeviceAccepted: false,
        isHybridAzureADJoinedDeviceAccepted: false,
      },
      b2bCollaborationInbound: null,
      b2bCollaborationOutbound: null,
      b2bDirectConnectInbound: null,
      b2bDirectConnectOutbound: null,
      tenantRestrictions: null,
    });
    expect((await admin.post(PARTNERS, { tenantId: OUTSIDER.toUpperCase() })).statusCode).toBe(201);
    const list = (await admin.get(PARTNERS)).json() as {
      value: Array<{ tenantId: string; inboundTrust: unknown }>;
    };
    expect(list.value.map((p) => p.tenantId).sort()).toEqual([fabrikam.tenantId, OUTSIDER].sort());
    expect(list.value.find((p) => p.tenantId === OUTSIDER)?.inboundTrust).toMatchObject({
      isMfaAccepted: false,
    });

    expect(
      (await admin.patch(`${PARTNERS}/${fabrikam.tenantId}`, { inboundTrust: { isMfaAccepted: false } }))
        .statusCode,
    ).toBe(204);
    expect((await admin.get(`${PARTNERS}/${fabrikam.tenantId}`)).json()).toMatchObject({
      inboundTrust: { isMfaAccepted: false },
    });
    expect((await admin.delete(`${PARTNERS}/${OUTSIDER}`)).statusCode).toBe(204);
    expectGraphError(await admin.get(`${PARTNERS}/${OUTSIDER}`), 404, 'Request_ResourceNotFound');
    expectGraphError(await admin.delete(`${PARTNERS}/${OUTSIDER}`), 404, 'Request_ResourceNotFound');
    expectGraphError(
      await admin.patch(`${PARTNERS}/${OUTSIDER}`, { inboundTrust: null }),
      404,
      'Request_ResourceNotFound',
    );

    for (const activity of [
      'Add a partner to cross-tenant access setting',
      'Update a partner cross-tenant access setting',
      'Delete partner specific cross-tenant access setting',
    ]) {
      expect(await auditsOf(admin, activity)).not.toHaveLength(0);
    }
    const [updated] = await auditsOf(admin, 'Update a partner cross-tenant access setting');
    expect(updated).toMatchObject({
      category: 'Policy',
      targetResources: [
        {
          id: fabrikam.tenantId,
          modifiedProperties: [
            { displayName: 'inboundTrust.isMfaAccepted', oldValue: 'true', newValue: 'false' },
          ],
        },
      ],
    });
  });

  it('partners: validation, duplicates, permissions and tenant isolation', async () => {
    expectGraphError(await admin.post(PARTNERS, { tenantId: 'fabrikam' }), 400, 'Request_BadRequest');
    expectGraphError(await admin.post(PARTNERS, {}), 400, 'Request_BadRequest');
    expectGraphError(
      await admin.post(PARTNERS, { tenantId: OUTSIDER, inboundTrust: { isMfaAccepted: 'yes' } }),
      400,
      'Request_BadRequest',
    );
    expectGraphError(
      await admin.post(PARTNERS, {
        tenantId: OUTSIDER,
        inboundTrust: { isCompliantDeviceAccepted: true, isMfaAccepted: true },
      }),
      400,
      'Request_BadRequest',
    );
    expectGraphError(
      await admin.post(PARTNERS, { tenantId: OUTSIDER, color: 'blue' }),
      400,
      'Request_BadRequest',
    );
    expectGraphError(
      await admin.post(PARTNERS, { tenantId: t.tenant.tenantId }),
      400,
      'Request_InvalidValue',
    );
    expectGraphError(await admin.get(`${PARTNERS}/not-a-guid`), 400, 'Request_BadRequest');
    // fabrikam exists since the previous test: a second configuration for it is a conflict.
    expectGraphError(
      await admin.post(PARTNERS, { tenantId: fabrikam.tenantId }),
      409,
      'Request_MultipleObjectsWithSameKeyValue',
    );

    const policyReader = await callerWithPermissions(t, admin, ['Policy.Read.All']);
    expect((await policyReader.get(PARTNERS)).statusCode).toBe(200);
    expectGraphError(
      await policyReader.post(PARTNERS, { tenantId: OUTSIDER }),
      403,
      'Authorization_RequestDenied',
    );
    expectGraphError(
      await policyReader.delete(`${PARTNERS}/${fabrikam.tenantId}`),
      403,
      'Authorization_RequestDenied',
    );
    const userReader = await callerWithPermissions(t, admin, ['User.Read.All']);
    expectGraphError(await userReader.get(PARTNERS), 403, 'Authorization_RequestDenied');
    const writer = await callerWithPermissions(t, admin, ['Policy.ReadWrite.CrossTenantAccess']);
    expect(
      (await writer.patch(`${PARTNERS}/${fabrikam.tenantId}`, { inboundTrust: { isMfaAccepted: true } }))
        .statusCode,
    ).toBe(204);

    // Fabrikam's policy is its own: it sees none of Contoso's partners, and its own does not show at Contoso.
    expect((await fabrikamAdmin.get(PARTNERS)).json()).toMatchObject({ value: [] });
    expectGraphError(
      await fabrikamAdmin.get(`${PARTNERS}/${fabrikam.tenantId}`),
      404,
      'Request_ResourceNotFound',
    );
    expect((await fabrikamAdmin.post(PARTNERS, { tenantId: t.tenant.tenantId })).statusCode).toBe(201);
    expect(((await admin.get(PARTNERS)).json() as { value: unknown[] }).value).toHaveLength(1);
  });
});
