import { expect } from 'vitest';
import type { SignInEntry, SignInResource } from '../../src/signins/schemas.js';
import type { GraphClient } from '../helpers/graph.js';

export type { SignInResource };

/** GET /auditLogs/signIns?{query} as a 200; returns the body. */
export async function listSignIns(api: GraphClient, query = '') {
  const response = await api.get(`/auditLogs/signIns${query ? `?${query}` : ''}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { '@odata.context': string; '@odata.nextLink'?: string; value: SignInResource[] };
}

/** The ids of the entries a $filter returns, newest first. */
export async function idsMatching(api: GraphClient, filter: string): Promise<string[]> {
  const body = await listSignIns(api, `$filter=${encodeURIComponent(filter)}&$top=999`);
  return body.value.map((entry) => entry.id);
}

/** A complete, valid entry for recordSignIn: a member's successful password sign-in. */
export function memberSuccess(tenantId: string, fields: Partial<SignInEntry> = {}): SignInEntry {
  return {
    tenantId,
    userId: '11111111-1111-4111-8111-111111111111',
    userPrincipalName: 'ada@contoso.test',
    userDisplayName: 'Ada Lovelace',
    appId: '22222222-2222-4222-8222-222222222222',
    appDisplayName: 'Demo app',
    ipAddress: '203.0.113.7',
    clientAppUsed: 'Browser',
    result: 'success',
    errorCode: 0,
    homeTenantId: null,
    crossTenantAccessType: 'none',
    authenticationMethod: 'password',
    incomingTokenType: 'none',
    correlationId: '33333333-3333-4333-8333-333333333333',
    ...fields,
  };
}
