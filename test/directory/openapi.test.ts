import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';

interface Operation {
  summary?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { $ref?: string }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
    securitySchemes: Record<string, { type: string; scheme: string }>;
  };
}

// The document involves no database: one dialect is enough.
describe('/openapi.json', () => {
  let t: TestApp;
  let document: Document;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })),
    );

  it('gives every operation a summary', () => {
    expect(operations().length).toBeGreaterThan(30);
    for (const { path, method, operation } of operations()) {
      expect(operation.summary, `${method} ${path}`).toMatch(/^[A-Z]/);
    }
    expect(document.paths['/v1.0/invitations']!.post!.summary).toBe('Invite a guest');
  });

  it('describes the Graph error envelope once, as a shared component, on every operation', () => {
    expect(document.components.schemas.GraphError!.properties).toHaveProperty('error');
    expect(document.components.responses.ClientError!.content['application/json']!.schema.$ref).toBe(
      '#/components/schemas/GraphError',
    );
    for (const { path, method, operation } of operations()) {
      expect(operation.responses['4XX'], `${method} ${path}`).toEqual({
        $ref: '#/components/responses/ClientError',
      });
      expect(operation.responses['5XX'], `${method} ${path}`).toEqual({
        $ref: '#/components/responses/ServerError',
      });
    }
  });

  it('names the security scheme of each API: access tokens for /v1.0, the operator token for /instance/v1', () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['bearer', 'operatorToken']);
    for (const { path, method, operation } of operations()) {
      const expected = path.startsWith('/instance/v1') ? 'operatorToken' : 'bearer';
      expect(operation.security, `${method} ${path}`).toEqual([{ [expected]: [] }]);
    }
  });
});
