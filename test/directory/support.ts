import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { buildTestApp, TEST_BASE_URL, type TestApp, type TestAppOptions } from '../helpers/build-test-app.js';
import type { DialectName } from '../helpers/database.js';
import { type GraphClient, graphClient, tokenFor, V1 } from '../helpers/graph.js';
import { appToken } from '../helpers/tokens.js';

export { TEST_BASE_URL };

export interface DirectoryContext extends TestApp {
  /** The provisioned tenant's automation app (every permission). */
  api: GraphClient;
  /** The tenant's default domain, e.g. contoso.foyer.localhost. */
  domain: string;
}

/** A whole Foyer on a fresh database, with a directory API client for its first tenant. */
export async function directoryContext(
  dialect: DialectName,
  options: TestAppOptions = {},
): Promise<DirectoryContext> {
  const testApp = await buildTestApp(dialect, options);
  const token = await tokenFor(testApp.app, testApp.tenant);
  return {
    ...testApp,
    api: graphClient(testApp.app, token, V1),
    domain: testApp.tenant.adminUserPrincipalName.split('@')[1]!,
  };
}

/** Asserts the Graph error envelope and a stable code; returns the error object. */
export function expectGraphError(response: LightMyRequestResponse, status: number, code: string) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json() as {
    error: { code: string; message: string; innerError: Record<string, string> };
  };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.innerError['request-id']).toBe(response.headers['request-id']);
  return body.error;
}

let counter = 0;
/** A unique suffix for names within one test file. */
export const unique = (prefix = 'x'): string =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** A valid POST /users body on the tenant's domain. */
export function newUser(domain: string, fields: Record<string, unknown> = {}) {
  const nickname = unique('user');
  return {
    accountEnabled: true,
    displayName: `User ${nickname}`,
    mailNickname: nickname,
    userPrincipalName: `${nickname}@${domain}`,
    passwordProfile: { password: 'correct horse battery staple' },
    ...fields,
  };
}

/** A valid POST /groups body. */
export function newGroup(fields: Record<string, unknown> = {}) {
  const nickname = unique('group');
  return {
    displayName: `Group ${nickname}`,
    mailNickname: nickname,
    mailEnabled: false,
    securityEnabled: true,
    ...fields,
  };
}

export async function createUser(api: GraphClient, domain: string, fields: Record<string, unknown> = {}) {
  const response = await api.post('/users', newUser(domain, fields));
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; displayName: string; userPrincipalName: string };
}

export async function createGroup(api: GraphClient, fields: Record<string, unknown> = {}) {
  const response = await api.post('/groups', newGroup(fields));
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; displayName: string };
}

export interface CreatedApplication {
  id: string;
  appId: string;
  secretText: string;
  /** A directory API client holding a fresh token of this application. */
  api: GraphClient;
}

/**
 * An application created the way an operator would: POST /applications, grant its permissions, add a
 * password, then a client-credentials token from the tenant's token endpoint.
 */
export async function createApplicationWith(
  ctx: { app: FastifyInstance; api: GraphClient; tenant: ProvisionedTenant },
  permissions: string[],
  displayName = unique('app'),
): Promise<CreatedApplication> {
  const created = await ctx.api.post('/applications', { displayName });
  expect(created.statusCode, created.body).toBe(201);
  const { id, appId } = created.json() as { id: string; appId: string };
  if (permissions.length > 0) {
    const granted = await ctx.api.post(`/applications/${id}/grantedPermissions`, { permissions });
    expect(granted.statusCode, granted.body).toBe(200);
  }
  const password = await ctx.api.post(`/applications/${id}/addPassword`, {});
  expect(password.statusCode, password.body).toBe(200);
  const { secretText } = password.json() as { secretText: string };
  const token = await appToken(ctx.app, {
    tenant: ctx.tenant.tenantId,
    clientId: appId,
    clientSecret: secretText,
  });
  return { id, appId, secretText, api: graphClient(ctx.app, token, V1) };
}

/** Follows @odata.nextLink to the end; returns every item and the number of pages. */
export async function walkPages<T = Record<string, unknown>>(
  api: GraphClient,
  firstPath: string,
): Promise<{ items: T[]; pages: number; links: string[] }> {
  const items: T[] = [];
  const links: string[] = [];
  let path: string | undefined = firstPath;
  let pages = 0;
  while (path !== undefined) {
    const response = await api.get(path);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { value: T[]; '@odata.nextLink'?: string };
    items.push(...body.value);
    pages += 1;
    if (pages > 100) throw new Error('walkPages: more than 100 pages, paging does not terminate');
    const next = body['@odata.nextLink'];
    if (next === undefined) {
      path = undefined;
    } else {
      links.push(next);
      expect(next.startsWith(`${TEST_BASE_URL}/v1.0/`)).toBe(true);
      path = next.slice(`${TEST_BASE_URL}/v1.0`.length);
    }
  }
  return { items, pages, links };
}

export const ids = (items: ReadonlyArray<{ id?: unknown }>): string[] => items.map((item) => String(item.id));

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
