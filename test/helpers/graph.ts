import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './build-test-app.js';
import { appToken } from './tokens.js';

/** A tiny Graph client over inject(): bearer token, JSON in and out. */
export interface GraphCaller {
  token: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

export function graphCaller(app: FastifyInstance, token: string): GraphCaller {
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body !== undefined && { payload: body as Record<string, unknown> }),
    });
  return {
    token,
    get: (url) => call('GET', url),
    post: (url, body) => call('POST', url, body ?? {}),
    patch: (url, body) => call('PATCH', url, body),
    delete: (url) => call('DELETE', url),
  };
}

/** A caller holding the test tenant's automation app token (every directory permission). */
export async function adminCaller(t: TestApp): Promise<GraphCaller> {
  const token = await appToken(t.app, {
    tenant: t.tenant.tenantSlug,
    clientId: t.tenant.clientId,
    clientSecret: t.tenant.clientSecret,
  });
  return graphCaller(t.app, token);
}

/** A new application in the tenant holding exactly `permissions`, and a caller with its token. */
export async function callerWithPermissions(
  t: TestApp,
  admin: GraphCaller,
  permissions: string[],
): Promise<GraphCaller> {
  const created = (
    await admin.post('/v1.0/applications', { displayName: `app ${permissions.join(' ')}` })
  ).json();
  if (permissions.length > 0)
    await admin.post(`/v1.0/applications/${created.id}/grantedPermissions`, { permissions });
  const secret = (await admin.post(`/v1.0/applications/${created.id}/addPassword`, {})).json()
    .secretText as string;
  const token = await appToken(t.app, {
    tenant: t.tenant.tenantSlug,
    clientId: created.appId,
    clientSecret: secret,
  });
  return graphCaller(t.app, token);
}
