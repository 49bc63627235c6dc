import type { SwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Config } from '../config/index.js';

/**
 * The OpenAPI 3.1 document at /openapi.json: generated from the routes' zod contracts (jsonSchemaTransform),
 * then completed once for the whole document: a summary on every operation, the Graph error envelope on every
 * operation (shared components, not a copy per route), and the security scheme of the API each path belongs to.
 */

type Operation = {
  summary?: string;
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, unknown>;
};
type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
  security?: unknown;
};

/** Written summaries for the operations Foyer has; routes added later get a generated one until they get theirs. */
const SUMMARIES: Record<string, string> = {
  'GET /v1.0/users': 'List users',
  'POST /v1.0/users': 'Create a user',
  'GET /v1.0/users/{id}': 'Get a user by id or userPrincipalName',
  'PATCH /v1.0/users/{id}': 'Update a user',
  'DELETE /v1.0/users/{id}': 'Delete a user',
  'GET /v1.0/users/{id}/memberOf': "List a user's group memberships",
  'GET /v1.0/groups': 'List groups',
  'POST /v1.0/groups': 'Create a group',
  'GET /v1.0/groups/{id}': 'Get a group',
  'PATCH /v1.0/groups/{id}': 'Update a group',
  'DELETE /v1.0/groups/{id}': 'Delete a group',
  'GET /v1.0/groups/{id}/members': "List a group's members",
  'POST /v1.0/groups/{id}/members/$ref': 'Add a member to a group',
  'DELETE /v1.0/groups/{id}/members/{memberId}/$ref': 'Remove a member from a group',
  'GET /v1.0/applications': 'List applications',
  'POST /v1.0/applications': 'Create an application',
  'GET /v1.0/applications/{id}': 'Get an application',
  'DELETE /v1.0/applications/{id}': 'Delete an application',
  'POST /v1.0/applications/{id}/addPassword': 'Add a client secret (returned once)',
  'POST /v1.0/applications/{id}/removePassword': 'Remove a client secret',
  'POST /v1.0/applications/{id}/grantedPermissions':
    'Grant directory API permissions to an application (Foyer)',
  'GET /v1.0/organization': 'Get the tenant (organization)',
  'GET /v1.0/policies/authorizationPolicy': 'Get the authorization policy (who may invite)',
  'PATCH /v1.0/policies/authorizationPolicy': 'Update the authorization policy',
  'GET /v1.0/policies/b2bManagementPolicy': 'Get the B2B collaboration policy (domains, passcodes, expiry)',
  'PATCH /v1.0/policies/b2bManagementPolicy': 'Update the B2B collaboration policy',
  'GET /v1.0/auditLogs/directoryAudits': 'List directory audit entries',
  'POST /v1.0/invitations': 'Invite a guest',
  'POST /v1.0/invitations/{id}/resend': 'Resend an invitation with a new link (Foyer)',
  'POST /v1.0/invitations/{id}/revoke': 'Revoke a pending invitation (Foyer)',
  'POST /v1.0/invitations/bulk': 'Start a bulk invitation job from a text/csv file, or validate it (Foyer)',
  'GET /v1.0/invitations/bulk/{id}': "Get a bulk invitation job's progress (Foyer)",
  'GET /v1.0/invitations/bulk/{id}/results': "Download a bulk invitation job's results as CSV (Foyer)",
  'POST /v1.0/webhooks': 'Register a webhook endpoint; its signing secret is shown once (Foyer)',
  'GET /v1.0/webhooks': 'List webhook endpoints (Foyer)',
  'GET /v1.0/webhooks/{id}': 'Get a webhook endpoint (Foyer)',
  'DELETE /v1.0/webhooks/{id}': 'Delete a webhook endpoint and its delivery log (Foyer)',
  'GET /v1.0/webhooks/{id}/deliveries': "Read a webhook endpoint's delivery log (Foyer)",
  'GET /instance/v1/tenants': 'List tenants',
  'POST /instance/v1/tenants': 'Create a tenant with its administrator and automation application',
  'GET /instance/v1/tenants/{tenant}/domains': "List a tenant's domains",
  'POST /instance/v1/tenants/{tenant}/domains': 'Add a custom domain (returns the TXT record to publish)',
  'POST /instance/v1/tenants/{tenant}/domains/{domain}/verify': 'Verify a custom domain',
};

const VERBS: Record<string, string> = {
  get: 'Get',
  post: 'Create',
  patch: 'Update',
  put: 'Replace',
  delete: 'Delete',
};

function generatedSummary(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((segment) => segment && !segment.startsWith('{') && !/^(v1\.0|instance|v1|\$ref)$/.test(segment));
  const target = words.join(' ') || path;
  return method === 'get' && !path.endsWith('}') ? `List ${target}` : `${VERBS[method] ?? method} ${target}`;
}

const graphError = {
  type: 'object',
  description: 'The Microsoft Graph error envelope.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable error code, e.g. Request_BadRequest' },
        message: { type: 'string' },
        innerError: {
          type: 'object',
          properties: {
            date: { type: 'string', format: 'date-time' },
            'request-id': { type: 'string' },
            'client-request-id': { type: 'string' },
          },
        },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/GraphError' } } },
});

/** The API a path belongs to decides how callers authenticate. */
function securityFor(path: string): Array<Record<string, string[]>> {
  return path.startsWith('/instance/') ? [{ operatorToken: [] }] : [{ bearer: [] }];
}

export function completeDocument(document: OpenApiDocument): OpenApiDocument {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, GraphError: graphError };
  document.components.responses = {
    ...document.components.responses,
    ClientError: errorResponse(
      'The request was refused (validation, authentication, permission, throttling).',
    ),
    ServerError: errorResponse('Foyer failed to handle the request.'),
  };
  document.components.securitySchemes = {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        "An access token from the tenant's token endpoint for the resource {base} (scope {base}/.default).",
    },
    operatorToken: {
      type: 'http',
      scheme: 'bearer',
      description: 'An instance operator token (printed at the first start, or `foyer operator token`).',
    },
  };
  delete document.security;
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      operation.summary ??= SUMMARIES[`${method.toUpperCase()} ${path}`] ?? generatedSummary(method, path);
      operation.security = securityFor(path);
      operation.responses = {
        ...operation.responses,
        '4XX': { $ref: '#/components/responses/ClientError' },
        '5XX': { $ref: '#/components/responses/ServerError' },
      };
    }
  }
  return document;
}

/** Options for @fastify/swagger. */
export function openapiOptions(config: Pick<Config, 'baseUrl'>): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Foyer directory API',
        version: '1.0',
        description:
          'Microsoft Graph v1.0-shaped directory and B2B collaboration API (/v1.0, bearer access token), and the ' +
          'instance operator API (/instance/v1, operator token). Errors use the Graph error envelope.',
      },
      servers: [{ url: config.baseUrl }],
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) =>
      completeDocument(
        ('openapiObject' in documentObject
          ? documentObject.openapiObject
          : documentObject) as OpenApiDocument,
      ) as never,
  };
}
