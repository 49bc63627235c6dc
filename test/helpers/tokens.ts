import type { FastifyInstance } from 'fastify';

const baseUrls = new WeakMap<FastifyInstance, string>();

/** The instance's base URL (the directory API's resource id), read once per app from a tenant's discovery. */
async function baseUrlOf(app: FastifyInstance, tenant: string): Promise<string> {
  const known = baseUrls.get(app);
  if (known) return known;
  const response = await app.inject({
    method: 'GET',
    url: `/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`,
  });
  if (response.statusCode !== 200)
    throw new Error(`appToken: discovery failed: ${response.statusCode} ${response.body}`);
  // The issuer is `{base}/{tenantId}/v2.0`.
  const issuer = (response.json() as { issuer: string }).issuer;
  const base = issuer.replace(/\/[^/]+\/v2\.0$/, '');
  baseUrls.set(app, base);
  return base;
}

/**
 * An app-only access token for the directory API, from the tenant's token endpoint (client credentials,
 * client_secret_post, scope `{base}/.default`), through `inject`. Throws with the OAuth error otherwise.
 */
export async function appToken(
  app: FastifyInstance,
  options: { tenant: string; clientId: string; clientSecret: string },
): Promise<string> {
  const base = await baseUrlOf(app, options.tenant);
  const response = await app.inject({
    method: 'POST',
    url: `/${encodeURIComponent(options.tenant)}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: `${base}/.default`,
    }).toString(),
  });
  const body = response.json() as { access_token?: string; error?: string; error_description?: string };
  if (response.statusCode !== 200 || !body.access_token) {
    throw new Error(
      `appToken: ${response.statusCode} ${body.error ?? ''} ${body.error_description ?? response.body}`,
    );
  }
  return body.access_token;
}
