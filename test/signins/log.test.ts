import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSignIn } from '../../src/signins/service.js';
import {
  createApplicationWith,
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  TEST_BASE_URL,
  walkPages,
} from '../directory/support.js';
import { provisionOtherTenant } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { graphClient, tokenFor, V1 } from '../helpers/graph.js';
import { idsMatching, listSignIns, memberSuccess, type SignInResource } from './support.js';

const ADA = 'aaaaaaaa-0000-4000-8000-000000000001';
const GRACE = 'aaaaaaaa-0000-4000-8000-000000000002';
const PORTAL = 'bbbbbbbb-0000-4000-8000-000000000001';
const WIKI = 'bbbbbbbb-0000-4000-8000-000000000002';

describe.each(testDialects())('GET /auditLogs/signIns on %s', (dialect) => {
  const clock = movableClock();
  let ctx: DirectoryContext;
  let otherTenantId: string;
  let otherApi: ReturnType<typeof graphClient>;
  /** Recorded ids, oldest first: ada ok, ada bad password, grace ok (guest), unknown user, grace MFA, ada ok. */
  const recorded: string[] = [];
  let otherTenantEntry: string;

  beforeAll(async () => {
    ctx = await directoryContext(dialect, { clock });
    const other = await provisionOtherTenant(ctx);
    otherTenantId = other.tenantId;
    otherApi = graphClient(ctx.app, await tokenFor(ctx.app, other), V1);
    const { services } = ctx.app;
    const tenantId = ctx.tenant.tenantId;
    const ada = { userId: ADA, userPrincipalName: 'ada@contoso.test', userDisplayName: 'Ada Lovelace' };
    const grace = {
      userId: GRACE,
      userPrincipalName: 'grace_fabrikam.test#EXT#@contoso.test',
      userDisplayName: 'Grace Hopper',
      homeTenantId: otherTenantId,
      crossTenantAccessType: 'b2bCollaboration' as const,
    };
    const entries = [
      memberSuccess(tenantId, { ...ada, appId: PORTAL }),
      memberSuccess(tenantId, { ...ada, appId: PORTAL, result: 'failure', errorCode: 50126 }),
      memberSuccess(tenantId, { ...grace, appId: WIKI, authenticationMethod: 'emailOtp' }),
      memberSuccess(tenantId, {
        userId: null,
        userPrincipalName: 'nobody@contoso.test',
        userDisplayName: null,
        appId: PORTAL,
        result: 'failure',
        errorCode: 50034,
        authenticationMethod: 'none',
      }),
      memberSuccess(tenantId, { ...grace, appId: WIKI, result: 'interrupted', errorCode: 50076 }),
      memberSuccess(tenantId, { ...ada, appId: WIKI, authenticationMethod: 'previousSession' }),
    ];
    for (const entry of entries) {
      clock.advance(1000);
      recorded.push(await recordSignIn(services.db, services, entry));
    }
    // Same user and app ids in another tenant: must never show up in the first tenant's log.
    otherTenantEntry = await recordSignIn(
      services.db,
      services,
      memberSuccess(otherTenantId, { ...ada, appId: PORTAL }),
    );
  });
  afterAll(async () => ctx?.close());

  const newestFirst = () => [...recorded].reverse();
  const pick = (...indexes: number[]) => indexes.sort((a, b) => b - a).map((i) => recorded[i]);

  it('lists the tenant log newest first, in the signIn shape', async () => {
    const body = await listSignIns(ctx.api);
    expect(body['@odata.context']).toBe(`${TEST_BASE_URL}/v1.0/$metadata#auditLogs/signIns`);
    expect(body.value.map((e) => e.id)).toEqual(newestFirst());
    const guest = body.value.find((e) => e.id === recorded[2]) as SignInResource;
    expect(guest).toEqual({
      id: recorded[2],
      createdDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      userId: GRACE,
      userPrincipalName: 'grace_fabrikam.test#EXT#@contoso.test',
      userDisplayName: 'Grace Hopper',
      appId: WIKI,
      appDisplayName: 'Demo app',
      ipAddress: '203.0.113.7',
      clientAppUsed: 'Browser',
      correlationId: '33333333-3333-4333-8333-333333333333',
      conditionalAccessStatus: 'notApplied',
      isInteractive: true,
      status: { errorCode: 0, failureReason: null, additionalDetails: null },
      resourceTenantId: ctx.tenant.tenantId,
      homeTenantId: otherTenantId,
      crossTenantAccessType: 'b2bCollaboration',
      incomingTokenType: 'none',
      authenticationMethodsUsed: ['Email one-time passcode'],
      authenticationDetails: [
        {
          authenticationStepDateTime: guest.createdDateTime,
          authenticationMethod: 'Email one-time passcode',
          succeeded: true,
          authenticationStepResultDetail: null,
        },
      ],
      // No MFA required: Graph beta's single-factor requirement, no mfaDetail, no Foyer mfaSource.
      authenticationRequirement: 'singleFactorAuthentication',
      mfaDetail: null,
      mfaSource: null,
    });
    const failed = body.value.find((e) => e.id === recorded[1]) as SignInResource;
    expect(failed.status).toEqual({
      errorCode: 50126,
      failureReason: 'Error validating credentials due to invalid username or password.',
      additionalDetails: null,
    });
    expect(failed.authenticationDetails[0]).toMatchObject({
      succeeded: false,
      authenticationMethod: 'Password',
    });
    const unknown = body.value.find((e) => e.id === recorded[3]) as SignInResource;
    expect(unknown).toMatchObject({ userId: null, authenticationMethodsUsed: [], authenticationDetails: [] });
  });

  it.each([
    [`userId eq ${ADA}`, [0, 1, 5]],
    [`userId eq '${GRACE.toUpperCase()}'`, [2, 4]],
    ['userId eq null', [3]],
    ["userPrincipalName eq 'ADA@Contoso.test'", [0, 1, 5]],
    ["startswith(userPrincipalName,'grace_')", [2, 4]],
    [`appId eq ${WIKI}`, [2, 4, 5]],
    [`appId in ('${PORTAL}')`, [0, 1, 3]],
    ['status/errorCode eq 50126', [1]],
    ['status/errorCode ne 0', [1, 3, 4]],
    ['status/errorCode in (50034, 50076)', [3, 4]],
    [`userId eq ${ADA} and status/errorCode eq 0`, [0, 5]],
  ])('filters %s', async (filter, expected) => {
    expect(await idsMatching(ctx.api, filter)).toEqual(pick(...expected));
  });

  it('filters createdDateTime with ge, gt, le and lt on unquoted dateTime literals', async () => {
    const { value } = await listSignIns(ctx.api, '$select=id,createdDateTime');
    const at = (index: number) => value.find((e) => e.id === recorded[index])!.createdDateTime;
    expect(await idsMatching(ctx.api, `createdDateTime ge ${at(2)} and createdDateTime lt ${at(4)}`)).toEqual(
      pick(2, 3),
    );
    expect(await idsMatching(ctx.api, `createdDateTime gt ${at(2)} and createdDateTime le ${at(4)}`)).toEqual(
      pick(3, 4),
    );
    // Second precision, as Graph clients write it: the entries were recorded a second apart.
    const secondOf = (index: number) => at(index).replace(/\.\d{3}Z$/, 'Z');
    expect(await idsMatching(ctx.api, `createdDateTime lt ${secondOf(1)}`)).toEqual(pick(0));
    expect(await idsMatching(ctx.api, `createdDateTime ge ${secondOf(5)} and userId eq ${ADA}`)).toEqual(
      pick(5),
    );
    // Unencoded in the URL, as a person types it into a browser or curl.
    const typed = await ctx.api.get(`/auditLogs/signIns?$filter=createdDateTime ge ${at(5)}`);
    expect(typed.statusCode, typed.body).toBe(200);
    expect((typed.json() as { value: SignInResource[] }).value.map((e) => e.id)).toEqual(pick(5));
  });

  it('pages with $top and a keyset @odata.nextLink that keeps the filter', async () => {
    const all = await walkPages<SignInResource>(ctx.api, '/auditLogs/signIns?$top=4');
    expect(all.items.map((e) => e.id)).toEqual(newestFirst());
    expect(all.pages).toBe(2);
    const filter = encodeURIComponent('status/errorCode eq 0');
    const successes = await walkPages<SignInResource>(ctx.api, `/auditLogs/signIns?$filter=${filter}&$top=1`);
    expect(successes.items.map((e) => e.id)).toEqual(pick(0, 2, 5));
    expect(successes.pages).toBe(3);
    const next = new URL(successes.links[0]!);
    expect(next.searchParams.get('$filter')).toBe('status/errorCode eq 0');
    expect(next.searchParams.get('$skiptoken')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('projects $select', async () => {
    const body = await listSignIns(ctx.api, '$select=id,status&$top=1');
    expect(body['@odata.context']).toBe(`${TEST_BASE_URL}/v1.0/$metadata#auditLogs/signIns(id,status)`);
    expect(body.value).toEqual([
      { id: recorded[5], status: { errorCode: 0, failureReason: null, additionalDetails: null } },
    ]);
  });

  it('reads one entry by id, with $select', async () => {
    const response = await ctx.api.get(`/auditLogs/signIns/${recorded[1]}?$select=userId,status`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#auditLogs/signIns(userId,status)/$entity`,
      userId: ADA,
      status: expect.objectContaining({ errorCode: 50126 }),
    });
    expectGraphError(
      await ctx.api.get(`/auditLogs/signIns/${otherTenantEntry}`),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(await ctx.api.get('/auditLogs/signIns/not-a-guid'), 400, 'Request_BadRequest');
  });

  it('keeps tenants apart', async () => {
    const mine = await listSignIns(ctx.api, '$top=999');
    expect(mine.value.map((e) => e.id)).not.toContain(otherTenantEntry);
    const theirs = await listSignIns(otherApi, `$filter=${encodeURIComponent(`userId eq ${ADA}`)}`);
    expect(theirs.value.map((e) => e.id)).toEqual([otherTenantEntry]);
    expect(theirs.value[0]!.resourceTenantId).toBe(otherTenantId);
    expectGraphError(
      await otherApi.get(`/auditLogs/signIns/${recorded[0]}`),
      404,
      'Request_ResourceNotFound',
    );
  });

  it('needs AuditLog.Read.All or Directory.Read.All', async () => {
    const none = await createApplicationWith(ctx, ['User.Read.All']);
    const error = expectGraphError(
      await none.api.get('/auditLogs/signIns'),
      403,
      'Authorization_RequestDenied',
    );
    expect(error.message).toContain('AuditLog.Read.All');
    expectGraphError(
      await none.api.get(`/auditLogs/signIns/${recorded[0]}`),
      403,
      'Authorization_RequestDenied',
    );
    for (const permission of ['AuditLog.Read.All', 'Directory.Read.All']) {
      const reader = await createApplicationWith(ctx, [permission]);
      expect((await listSignIns(reader.api)).value.map((e) => e.id)).toEqual(newestFirst());
    }
  });

  it.each([
    ["userDisplayName eq 'Ada Lovelace'", "Property 'userDisplayName' is not supported in $filter"],
    [
      "userPrincipalName ge 'a'",
      "Operator 'ge' is only supported on dateTime properties; 'userPrincipalName' is a string",
    ],
    ['status/errorCode gt 0', "Operator 'gt' is only supported on dateTime properties"],
    ["status/errorCode eq '50126'", "Property 'status/errorCode' expects an integer value"],
    [
      'createdDateTime ge 2026-13-01T00:00:00Z',
      "Property 'createdDateTime' expects a datetime value, got 2026-13-01T00:00:00Z",
    ],
    ['createdDateTime ge 2026-01-01T00:00:00', 'with a time zone, unquoted, e.g. 2026-01-01T00:00:00Z'],
    ['createdDateTime lt yesterday', "Syntax error: expected a value after 'lt' at position 19"],
    [
      "createdDateTime lt 'yesterday'",
      "Property 'createdDateTime' expects a datetime value, got 'yesterday'",
    ],
    ['createdDateTime le null', "null cannot be compared with 'le' for 'createdDateTime'"],
    ["status/failureReason eq 'x'", "Unsupported property 'status/failureReason' in $filter"],
  ])('rejects $filter=%s with a clear 400', async (filter, message) => {
    const response = await ctx.api.get(`/auditLogs/signIns?$filter=${encodeURIComponent(filter)}`);
    expect(expectGraphError(response, 400, 'Request_UnsupportedQuery').message).toContain(message);
  });

  it('rejects $orderby on anything but createdDateTime, and $search', async () => {
    expectGraphError(
      await ctx.api.get('/auditLogs/signIns?$orderby=userId'),
      400,
      'Request_UnsupportedQuery',
    );
    expectGraphError(
      await ctx.api.get('/auditLogs/signIns?$search="userId:x"'),
      400,
      'Request_UnsupportedQuery',
    );
    const oldestFirst = await listSignIns(ctx.api, '$orderby=createdDateTime asc');
    expect(oldestFirst.value.map((e) => e.id)).toEqual(recorded);
  });

  it('filters directoryAudits by activityDateTime ranges too', async () => {
    const response = await ctx.api.get('/auditLogs/directoryAudits?$top=999&$select=id,activityDateTime');
    expect(response.statusCode, response.body).toBe(200);
    const audits = (response.json() as { value: Array<{ id: string; activityDateTime: string }> }).value;
    expect(audits.length).toBeGreaterThan(2);
    const middle = audits[Math.floor(audits.length / 2)]!.activityDateTime;
    const filter = encodeURIComponent(`activityDateTime ge ${middle}`);
    const later = await ctx.api.get(`/auditLogs/directoryAudits?$top=999&$filter=${filter}`);
    expect(later.statusCode, later.body).toBe(200);
    const expected = audits.filter((a) => a.activityDateTime >= middle).map((a) => a.id);
    expect((later.json() as { value: Array<{ id: string }> }).value.map((a) => a.id)).toEqual(expected);
    expect(expected.length).toBeLessThan(audits.length);
    expectGraphError(
      await ctx.api.get(`/auditLogs/directoryAudits?$filter=${encodeURIComponent("category gt 'A'")}`),
      400,
      'Request_UnsupportedQuery',
    );
  });
});
