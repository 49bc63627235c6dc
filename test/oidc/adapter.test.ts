import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SqlAdapter } from '../../src/oidc/adapter.js';
import { purgeExpiredOidcArtefacts } from '../../src/oidc/index.js';
import { movableClock } from '../helpers/clock.js';
import { createOidcTestContext, type OidcTestContext } from './setup.js';

// oidc-provider's storage contract (example/my_adapter.js), on this run's dialect.
let ctx: OidcTestContext;
const clock = movableClock();
beforeAll(async () => {
  ctx = await createOidcTestContext({ clock });
});
afterAll(async () => ctx?.close());

const adapter = (model: string, tenantId = ctx.contoso.id) =>
  new SqlAdapter(
    { db: ctx.database.db, dialect: ctx.database.dialect, clock },
    tenantId,
    model,
    () => new Error('replayed'),
  );

describe('SqlAdapter', () => {
  test('upsert then find returns the payload; upsert again replaces it', async () => {
    const sessions = adapter('Session');
    await sessions.upsert('s1', { accountId: 'a', uid: 'u1', kind: 'Session' }, 3600);
    expect(await sessions.find('s1')).toEqual({ accountId: 'a', uid: 'u1', kind: 'Session' });
    await sessions.upsert('s1', { accountId: 'b', uid: 'u1', kind: 'Session' }, 3600);
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'b' });
    expect(await sessions.find('missing')).toBeUndefined();
  });

  test('findByUid and findByUserCode', async () => {
    await adapter('Session').upsert('s2', { uid: 'uid-2' }, 3600);
    expect(await adapter('Session').findByUid('uid-2')).toEqual({ uid: 'uid-2' });
    await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g-device' }, 600);
    expect(await adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
  });

  test("a token is read with its grant: that request's Grant.find costs no statement, and no other request gets the reading", async () => {
    let current: object | undefined;
    const inRequest = (model: string) =>
      new SqlAdapter(
        { db: ctx.database.db, dialect: ctx.database.dialect, clock },
        ctx.contoso.id,
        model,
        () => new Error('replayed'),
        () => current,
      );
    await inRequest('Grant').upsert('g-ahead', { accountId: 'a', kind: 'Grant' }, 3600);
    await inRequest('RefreshToken').upsert('rt-ahead', { grantId: 'g-ahead', kind: 'RefreshToken' }, 3600);
    const { stats } = ctx.database;
    const requestA = {};
    current = requestA;
    const before = stats.count;
    expect(await inRequest('RefreshToken').find('rt-ahead')).toMatchObject({ grantId: 'g-ahead' });
    expect(await inRequest('Grant').find('g-ahead')).toMatchObject({ accountId: 'a' });
    expect(stats.count - before).toBe(1);
    // Taken once: the next find reads the table.
    expect(await inRequest('Grant').find('g-ahead')).toMatchObject({ accountId: 'a' });
    expect(stats.count - before).toBe(2);

    // Request A reads the token and its grant again; the grant is revoked; request B finds it gone.
    await inRequest('RefreshToken').find('rt-ahead');
    await inRequest('Grant').destroy('g-ahead');
    current = {};
    expect(await inRequest('Grant').find('g-ahead')).toBeUndefined();
    // A token whose grant is gone: its request's Grant.find answers none, without a statement.
    current = {};
    const after = stats.count;
    expect(await inRequest('RefreshToken').find('rt-ahead')).toMatchObject({ grantId: 'g-ahead' });
    expect(await inRequest('Grant').find('g-ahead')).toBeUndefined();
    expect(stats.count - after).toBe(1);
    // Outside any request nothing is kept.
    current = undefined;
    await inRequest('RefreshToken').find('rt-ahead');
    expect(await inRequest('Grant').find('g-ahead')).toBeUndefined();
    expect(stats.count - after).toBe(3);
  });

  test('models and tenants are separate namespaces', async () => {
    await adapter('AuthorizationCode').upsert('shared-id', { n: 1 }, 60);
    expect(await adapter('RefreshToken').find('shared-id')).toBeUndefined();
    expect(await adapter('AuthorizationCode', ctx.fabrikam.id).find('shared-id')).toBeUndefined();
    await adapter('Session').upsert('s3', { uid: 'uid-3' }, 3600);
    expect(await adapter('Session', ctx.fabrikam.id).findByUid('uid-3')).toBeUndefined();
  });

  test('a lost race to consume revokes the grant itself: a successor stored after the revocation has no grant', async () => {
    const tokens = adapter('RefreshToken');
    const grants = adapter('Grant');
    await grants.upsert('g-race', { accountId: 'a', clientId: 'c', kind: 'Grant' }, 3600);
    await tokens.upsert('rt-race', { grantId: 'g-race', kind: 'RefreshToken' }, 3600);
    await tokens.upsert('rt-sibling', { grantId: 'g-race', kind: 'RefreshToken' }, 3600);
    await tokens.consume('rt-race'); // the winner
    await expect(tokens.consume('rt-race')).rejects.toThrow('replayed'); // the loser, a moment later
    // The winner stores its successor only now; the grant it names is gone, so oidc-provider refuses it.
    await tokens.upsert('rt-successor', { grantId: 'g-race', kind: 'RefreshToken' }, 3600);
    expect(await grants.find('g-race')).toBeUndefined();
    expect(await tokens.find('rt-sibling')).toBeUndefined();
    expect(await tokens.find('rt-race')).toBeUndefined();
  });

  test('consume marks the payload consumed', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toBeTruthy();
  });

  test('destroy removes one artefact; revokeByGrantId removes every artefact of the grant', async () => {
    await adapter('AuthorizationCode').upsert('c2', { grantId: 'g2' }, 60);
    await adapter('RefreshToken').upsert('r2', { grantId: 'g2' }, 3600);
    await adapter('RefreshToken').upsert('r3', { grantId: 'g3' }, 3600);
    await adapter('RefreshToken', ctx.fabrikam.id).upsert('r4', { grantId: 'g2' }, 3600);
    await adapter('RefreshToken').destroy('r3');
    expect(await adapter('RefreshToken').find('r3')).toBeUndefined();
    await adapter('AuthorizationCode').revokeByGrantId('g2');
    expect(await adapter('AuthorizationCode').find('c2')).toBeUndefined();
    expect(await adapter('RefreshToken').find('r2')).toBeUndefined();
    expect(await adapter('RefreshToken', ctx.fabrikam.id).find('r4')).toEqual({ grantId: 'g2' });
  });

  test('expired artefacts are never served, and the purge removes them', async () => {
    await adapter('Interaction').upsert('i1', { uid: 'x' }, 60);
    await adapter('Grant').upsert('forever', { accountId: 'a' }, undefined);
    clock.advance(61_000);
    expect(await adapter('Interaction').find('i1')).toBeUndefined();
    expect(await adapter('Grant').find('forever')).toEqual({ accountId: 'a' });
    expect(await purgeExpiredOidcArtefacts({ db: ctx.database.db, clock })).toBeGreaterThanOrEqual(1);
    const left = await ctx.database.db
      .selectFrom('oidc_payloads')
      .select('id')
      .where('model', '=', 'Interaction')
      .where('id', '=', 'i1')
      .execute();
    expect(left).toEqual([]);
  });
});
