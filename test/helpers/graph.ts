import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import type { TestApp } from './build-test-app.js';
import { appToken } from './tokens.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Where the directory API lives; clients made with it take paths below it (`/users`, not `/v1.0/users`). */
export const V1 = '/v1.0';
/** Where the operator's instance API lives (tenants), called with an operator token. */
export const INSTANCE_API = '/instance/v1';

/** A Graph client over inject(), bound to one bearer token: JSON in and out. */
export interface GraphClient {
  token: string;
  request(
    method: Method,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  get(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(path: string, body: unknown): Promise<LightMyRequestResponse>;
  delete(path: string): Promise<LightMyRequestResponse>;
}

/**
 * The one Graph client of the tests. `base` is prepended to every path: '' (the default) for full paths such as
 * `/v1.0/invitations`, or V1 for paths below the directory API. A string body is sent as is (malformed JSON).
 */
export function graphClient(app: FastifyInstance, token: string, base = ''): GraphClient {
  const request: GraphClient['request'] = (method, path, options = {}) =>
    app.inject({
      method,
      url: `${base}${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && {
        payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      }),
    });
  return {
    token,
    request,
    get: (path, headers) => request('GET', path, headers ? { headers } : {}),
    post: (path, body, headers) => request('POST', path, { body: body ?? {}, ...(headers && { headers }) }),
    patch: (path, body) => request('PATCH', path, { body }),
    delete: (path) => request('DELETE', path),
  };
}

/** A client-credentials token of a provisioned tenant's automation app (every directory permission). */
export function tokenFor(app: FastifyInstance, tenant: ProvisionedTenant): Promise<string> {
  return appToken(app, {
    tenant: tenant.tenantSlug,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
  });
}

/** A caller holding a provisioned tenant's automation app token; full paths (`/v1.0/…`). */
export async function callerFor(t: Pick<TestApp, 'app'>, tenant: ProvisionedTenant): Promise<GraphClient> {
  return graphClient(t.app, await tokenFor(t.app, tenant));
}

/** A caller holding the test tenant's automation app token (every directory permission); full paths. */
export function adminCaller(t: TestApp): Promise<GraphClient> {
  return callerFor(t, t.tenant);
}

/** A new application in the tenant holding exactly `permissions`, and a caller with its token. */
export async function callerWithPermissions(
  t: TestApp,
  admin: GraphClient,
  permissions: string[],
  displayName = `app ${permissions.join(' ')}`,
): Promise<GraphClient> {
  const created = await admin.post('/v1.0/applications', { displayName });
  if (created.statusCode !== 201) throw new Error(`application: ${created.statusCode} ${created.body}`);
  const { id, appId } = created.json() as { id: string; appId: string };
  if (permissions.length > 0)
    await admin.post(`/v1.0/applications/${id}/grantedPermissions`, { permissions });
  const secret = (await admin.post(`/v1.0/applications/${id}/addPassword`, {})).json().secretText as string;
  const token = await appToken(t.app, { tenant: t.tenant.tenantSlug, clientId: appId, clientSecret: secret });
  return graphClient(t.app, token);
}
