import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRINCIPAL_CACHE_MS } from '../../src/auth/resolve.js';
import { createApplicationWith } from '../directory/support.js';
import { secondInstance } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { graphClient, V1 } from '../helpers/graph.js';
import { type AuthContext, authContext, expectGraphError } from './support.js';

it('the directory is re-read at least every 30 s, within the promised 60 s', () => {
  expect(PRINCIPAL_CACHE_MS).toBeLessThanOrEqual(30_000);
});

/**
 * Another instance learns of a removal when its cache entry ages out: a removal made on one instance takes
 * effect on every other within PRINCIPAL_CACHE_MS. Two instances share a database only on PostgreSQL.
 */
describe.skipIf(!process.env.FOYER_TEST_DATABASE_URL && process.env.CI !== 'true')(
  'removals reach other instances within the bound (postgres)',
  () => {
    const clock = movableClock();
    let ctx: AuthContext;
    let other: Awaited<ReturnType<typeof secondInstance>>;
    beforeAll(async () => {
      ctx = await authContext('postgres', { clock });
      other = await secondInstance(ctx, { clock });
    });
    afterAll(async () => {
      await other?.close();
      await ctx?.close();
    });

    it('a deleted application and a disabled user stop working on the other instance after the cache window', async () => {
      const app = await createApplicationWith(ctx, ['User.Read.All']);
      const appElsewhere = graphClient(other.app, app.api.token, V1);
      const userId = await ctx.member();
      const userElsewhere = graphClient(other.app, (await ctx.as(userId)).token, V1);
      expect((await appElsewhere.get('/users')).statusCode).toBe(200);
      expect((await userElsewhere.get('/me')).statusCode).toBe(200);

      expect((await ctx.api.delete(`/applications/${app.id}`)).statusCode).toBe(204);
      expect((await ctx.api.patch(`/users/${userId}`, { accountEnabled: false })).statusCode).toBe(204);
      // At once where the change was made…
      expectGraphError(await app.api.get('/users'), 401, 'InvalidAuthenticationToken');
      // …and on the other instance once what it knew has aged out.
      clock.advance(PRINCIPAL_CACHE_MS + 1_000);
      expectGraphError(await appElsewhere.get('/users'), 401, 'InvalidAuthenticationToken');
      expectGraphError(await userElsewhere.get('/me'), 401, 'InvalidAuthenticationToken');
    });
  },
);
