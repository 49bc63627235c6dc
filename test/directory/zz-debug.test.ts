import { it } from 'vitest';
import { directoryContext } from './support.js';
it('debug', async () => {
  const ctx = await directoryContext('sqlite');
  const show = async (label: string) => {
    const m = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    console.log('MET', label, m.body.split('\n').filter((l) => l.startsWith('foyer_http_requests_total') && !l.includes('metrics')).join(' | '));
  };
  await show('start');
  await ctx.app.inject({ method: 'GET', url: `/${ctx.tenant.tenantSlug}/v2.0/.well-known/openid-configuration` });
  await show('after 1 discovery');
  await ctx.app.inject({ method: 'GET', url: `/${ctx.tenant.tenantSlug}/discovery/v2.0/keys` });
  await show('after 1 keys');
  await ctx.close();
});
