import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapInstance } from '../../src/bootstrap/index.js';
import { provisionTenant } from '../../src/tenants/provision.js';
import { listTenants } from '../../src/tenants/store.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';

describe.each(testDialects())('provisioning and bootstrap on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(() => t.close());

  it('a tenant is provisioned whole or not at all', async () => {
    const before = await listTenants(t.app.services.db);
    // The client id is taken by the first tenant's automation app: the admin and app cannot be written, and the
    // tenant created earlier in the same transaction must not remain.
    await expect(
      provisionTenant(t.app.services, { displayName: 'Half Made', clientId: t.tenant.clientId }),
    ).rejects.toMatchObject({ code: 'Request_MultipleObjectsWithSameKeyValue' });
    const after = await listTenants(t.app.services.db);
    expect(after.map((tenant) => tenant.slug)).toEqual(before.map((tenant) => tenant.slug));
  });

  it('bootstrap happens once: on an instance with a tenant it does nothing', async () => {
    expect(await bootstrapInstance(t.app.services)).toBeUndefined();
  });
});
