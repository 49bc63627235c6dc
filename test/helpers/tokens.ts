import type { FastifyInstance } from 'fastify';

/** The base URL of the app (the directory API's resource identifier), read from its own discovery-free config. */
function baseUrlOf(app: FastifyInstance, explicit?: string): string {
  if (explicit) return explicit.replace(/\/+$/, '');
  const servers = (app.swagger?.() as { servers?: { url: string }[] } | undefined)?.servers;
  const url = servers?.[0]?.url;
  if (!url) throw new Error('appToken: pass baseUrl (the app has no OpenAPI servers entry to read it from).');
  return url.replace(/\/+$/, '');
}

/**
 * An app-only access token for the directory API, from the tenant's token endpoint (client credentials,
 * client_secret_post, scope `{base}/.default`), through `inject`. Throws with the OAuth error otherwise.
 */
export async function appToken(
  app: FastifyInstance,
  options: { tenant: string; clientId: string; clientSecret: string; baseUrl?: string },
): Promise<string> {
  const base = baseUrlOf(app, options.baseUrl);
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
    throw new Error(`appToken: ${response.statusCode} ${body.error ?? ''} ${body.error_description ?? response.body}`);
  }
  return body.access_token;
}
