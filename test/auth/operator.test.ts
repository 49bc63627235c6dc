import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorPrincipal } from '../../src/auth/principal.js';
import { createOperatorToken } from '../../src/tenants/operator-tokens.js';
import { createUser } from '../../src/users/service.js';
import { testDialects } from '../helpers/database.js';
import { graphClient, INSTANCE_API } from '../helpers/graph.js';
import { type AuthContext, authContext } from './support.js';

/** The instance operator is its own kind of caller: never an application holding roles. */
describe.each(testDialects())('the instance operator on %s', (dialect) => {
  let ctx: AuthContext;
  beforeAll(async () => {
    ctx = await authContext(dialect);
  });
  afterAll(() => ctx?.close());

  const initiators = async (activity: string) =>
    (
      (await ctx.api.get(`/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activity}'`)).json()
        .value as Array<{ initiatedBy: Record<string, unknown> }>
    ).map((entry) => entry.initiatedBy);

  it('acting through the CLI services, it is audited as the operator, not as an app', async () => {
    const operator = operatorPrincipal(ctx.tenant.tenantId);
    expect(operator).not.toHaveProperty('permissions');
    expect(operator).not.toHaveProperty('directoryRoles');
    await createUser(ctx.app.services, operator, {
      accountEnabled: true,
      displayName: 'Made by the operator',
      mailNickname: 'opmade',
      userPrincipalName: `opmade@${ctx.domain}`,
      passwordProfile: { password: 'correct horse battery staple' },
    });
    expect(await initiators('Add user')).toContainEqual({
      app: { appId: null, displayName: 'Foyer CLI', servicePrincipalId: null, servicePrincipalName: null },
      operator: { displayName: 'Foyer CLI', channel: 'cli' },
      user: null,
    });
  });

  it('through /instance/v1, tenant provisioning is audited as the operator', async () => {
    const token = await createOperatorToken(ctx.app.services, 'tests');
    const created = await graphClient(ctx.app, token, INSTANCE_API).post('/tenants', {
      displayName: 'Operator Made',
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json() as { id: string };
    const row = await ctx.app.services.db
      .selectFrom('audit_logs')
      .select('initiated_by')
      .where('tenant_id', '=', id)
      .where('activity_display_name', '=', 'Create company')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.initiated_by)).toMatchObject({
      app: { appId: null, displayName: 'Foyer instance API' },
      operator: { channel: 'instance-api' },
    });
  });
});
