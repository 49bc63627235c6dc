import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FoyerError } from '../../src/errors/catalogue.js';
import { recordSignInAttempt, type SignInAttempt } from '../../src/signins/attempts.js';
import { type SignInFailure, signInFailures } from '../../src/signins/failures.js';
import type { SignInEntry } from '../../src/signins/schemas.js';
import { recordSignIn } from '../../src/signins/service.js';
import { type DirectoryContext, directoryContext } from '../directory/support.js';
import { testDialects } from '../helpers/database.js';
import { listSignIns, memberSuccess, type SignInResource } from './support.js';

const USER = 'cccccccc-0000-4000-8000-000000000001';
const APP = 'dddddddd-0000-4000-8000-000000000001';

describe.each(testDialects())('recording sign-ins on %s', (dialect) => {
  let ctx: DirectoryContext;
  beforeAll(async () => {
    ctx = await directoryContext(dialect);
  });
  afterAll(async () => ctx?.close());

  const read = async (id: string) => {
    const response = await ctx.api.get(`/auditLogs/signIns/${id}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as SignInResource;
  };
  const total = async () => (await listSignIns(ctx.api, '$top=999&$select=id')).value.length;
  const attempt = (fields: Partial<SignInAttempt>): SignInAttempt => ({
    tenantId: ctx.tenant.tenantId,
    request: { ip: '198.51.100.20', id: '44444444-4444-4444-8444-444444444444' },
    user: {
      id: USER,
      userPrincipalName: 'ada@contoso.test',
      displayName: 'Ada Lovelace',
      userType: 'Member',
    },
    app: { appId: APP, displayName: 'Demo app' },
    method: 'password',
    outcome: 'success',
    ...fields,
  });

  describe('recordSignInAttempt, the pages helper', () => {
    it('records a member success as an interactive browser sign-in correlated to the request', async () => {
      const entry = await read(await recordSignInAttempt(ctx.app.services, attempt({})));
      expect(entry).toMatchObject({
        userId: USER,
        userPrincipalName: 'ada@contoso.test',
        userDisplayName: 'Ada Lovelace',
        appId: APP,
        appDisplayName: 'Demo app',
        ipAddress: '198.51.100.20',
        clientAppUsed: 'Browser',
        correlationId: '44444444-4444-4444-8444-444444444444',
        isInteractive: true,
        status: { errorCode: 0, failureReason: null, additionalDetails: null },
        resourceTenantId: ctx.tenant.tenantId,
        homeTenantId: null,
        crossTenantAccessType: 'none',
        incomingTokenType: 'none',
        authenticationMethodsUsed: ['Password'],
      });
    });

    it.each(Object.keys(signInFailures) as SignInFailure[])(
      'records %s with its code and reason',
      async (outcome) => {
        const entry = await read(await recordSignInAttempt(ctx.app.services, attempt({ outcome })));
        expect(entry.status).toEqual({
          errorCode: signInFailures[outcome].errorCode,
          failureReason: signInFailures[outcome].failureReason,
          additionalDetails: null,
        });
        expect(entry.authenticationDetails[0]).toMatchObject({
          succeeded: false,
          authenticationStepResultDetail: signInFailures[outcome].failureReason,
        });
      },
    );

    it('uses the AADSTS numbers administrators know', () => {
      expect(signInFailures).toMatchObject({
        invalidCredentials: { errorCode: 50126, result: 'failure' },
        accountLocked: { errorCode: 50053 },
        accountDisabled: { errorCode: 50057 },
        userNotFound: { errorCode: 50034 },
        guestNotInTenant: { errorCode: 50020 },
        mfaRequired: { errorCode: 50076, result: 'interrupted' },
        consentRequired: { errorCode: 65001, result: 'interrupted' },
        badRequest: { errorCode: 90100 },
      });
      const codes = Object.values(signInFailures).map((f) => f.errorCode);
      expect(new Set(codes).size).toBe(codes.length);
    });

    it('marks a guest, or a user from another home tenant, as B2B collaboration', async () => {
      const guest = await read(
        await recordSignInAttempt(
          ctx.app.services,
          attempt({ user: { id: USER, userType: 'Guest' }, method: 'emailOtp' }),
        ),
      );
      expect(guest).toMatchObject({
        crossTenantAccessType: 'b2bCollaboration',
        homeTenantId: null,
        authenticationMethodsUsed: ['Email one-time passcode'],
      });
      const home = 'eeeeeeee-0000-4000-8000-000000000001';
      const fromElsewhere = await read(
        await recordSignInAttempt(ctx.app.services, attempt({ user: { id: USER, homeTenantId: home } })),
      );
      expect(fromElsewhere).toMatchObject({ crossTenantAccessType: 'b2bCollaboration', homeTenantId: home });
      const sameTenant = await read(
        await recordSignInAttempt(
          ctx.app.services,
          attempt({ user: { id: USER, userType: 'Member', homeTenantId: ctx.tenant.tenantId } }),
        ),
      );
      expect(sameTenant.crossTenantAccessType).toBe('none');
    });

    it('records an unknown account by the name typed, with an explicit correlation id and detail', async () => {
      const entry = await read(
        await recordSignInAttempt(
          ctx.app.services,
          attempt({
            user: { userPrincipalName: 'nobody@contoso.test' },
            app: undefined,
            method: 'none',
            outcome: 'userNotFound',
            correlationId: 'interaction-123',
            detail: 'Identifier step',
          }),
        ),
      );
      expect(entry).toMatchObject({
        userId: null,
        userPrincipalName: 'nobody@contoso.test',
        userDisplayName: null,
        appId: null,
        correlationId: 'interaction-123',
        status: { errorCode: 50034, additionalDetails: 'Identifier step' },
        authenticationMethodsUsed: [],
      });
    });

    it('bounds what a person typed instead of failing the sign-in', async () => {
      const typed = `${'x'.repeat(300)}@contoso.test`;
      const entry = await read(
        await recordSignInAttempt(
          ctx.app.services,
          attempt({ user: { userPrincipalName: typed }, outcome: 'userNotFound' }),
        ),
      );
      expect(entry.userPrincipalName).toBe(typed.slice(0, 256));
    });
  });

  describe('recordSignIn', () => {
    it("defaults a failure's reason from the catalogue and lower-cases GUIDs", async () => {
      const id = await recordSignIn(
        ctx.app.services.db,
        ctx.app.services,
        memberSuccess(ctx.tenant.tenantId, {
          userId: USER.toUpperCase(),
          appId: APP.toUpperCase(),
          result: 'failure',
          errorCode: 50053,
        }),
      );
      const entry = await read(id);
      expect(entry).toMatchObject({ userId: USER, appId: APP, status: { errorCode: 50053 } });
      expect(entry.status.failureReason).toBe(signInFailures.accountLocked.failureReason);
      const filtered = await listSignIns(
        ctx.api,
        `$filter=${encodeURIComponent(`userId eq ${USER} and appId eq ${APP} and status/errorCode eq 50053`)}`,
      );
      expect(filtered.value.map((e) => e.id)).toContain(id);
    });

    it('refuses fields it does not know (a password, a code, a ticket) and writes nothing', async () => {
      const before = await total();
      for (const secret of [{ password: 'hunter2' }, { otp: '12345678' }, { ticket: 'abc' }]) {
        const entry = { ...memberSuccess(ctx.tenant.tenantId), ...secret } as SignInEntry;
        await expect(recordSignIn(ctx.app.services.db, ctx.app.services, entry)).rejects.toThrow(
          /Invalid sign-in log entry: .*[Uu]nrecognized key/,
        );
      }
      expect(await total()).toBe(before);
    });

    it('refuses an entry whose result and errorCode disagree', async () => {
      const before = await total();
      const record = (fields: Partial<SignInEntry>) =>
        recordSignIn(ctx.app.services.db, ctx.app.services, memberSuccess(ctx.tenant.tenantId, fields));
      await expect(record({ result: 'success', errorCode: 50126 })).rejects.toBeInstanceOf(FoyerError);
      await expect(record({ result: 'failure', errorCode: 0 })).rejects.toThrow(
        /errorCode is 0 exactly when/,
      );
      await expect(record({ userId: 'not-a-guid' })).rejects.toThrow(/userId/);
      await expect(record({ ipAddress: '' })).rejects.toThrow(/ipAddress/);
      expect(await total()).toBe(before);
    });

    it("writes in the caller's transaction, so a rolled-back change leaves no entry", async () => {
      const before = await total();
      const { services } = ctx.app;
      await expect(
        services.db.transaction().execute(async (trx) => {
          await recordSignInAttempt(services, attempt({}), trx);
          throw new Error('redemption lost a race');
        }),
      ).rejects.toThrow('redemption lost a race');
      expect(await total()).toBe(before);
      await services.db.transaction().execute((trx) => recordSignInAttempt(services, attempt({}), trx));
      expect(await total()).toBe(before + 1);
    });
  });
});
