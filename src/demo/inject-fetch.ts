import type { FastifyInstance } from 'fastify';
import type { CustomFetch } from 'openid-client';

/**
 * openid-client's fetch, answered by this process through inject(): the demo app talks to its own instance
 * without a network hop (and tests use it for an instance whose public address no socket serves).
 */
export function injectFetch(app: FastifyInstance): CustomFetch {
  return async (url, init) => {
    const target = new URL(url);
    const response = await app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: `${target.pathname}${target.search}`,
      headers: Object.fromEntries(
        new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).entries(),
      ),
      ...(init.body !== undefined && init.body !== null && { payload: String(init.body) }),
    });
    return new Response(response.rawPayload.length > 0 ? response.rawPayload : null, {
      status: response.statusCode,
      headers: response.headers as Record<string, string>,
    });
  };
}
