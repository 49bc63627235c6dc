import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';

/** A person the test IdP knows, by the login typed on its (oidc-provider's development) sign-in form. */
export interface IdpPerson {
  email: string;
  email_verified: boolean;
  name: string;
}

export interface TestIdp {
  issuer: string;
  metadataUrl: string;
  clientId: string;
  clientSecret: string;
  people: Map<string, IdpPerson>;
  stop(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on a loopback port, playing a partner's IdP or Google: its
 * own accounts (findAccount), its development login form (any password), one confidential client whose redirect
 * URI is Foyer's federation callback. Claims reach Foyer through userinfo, as with many real providers.
 */
export async function startTestIdp(input: {
  /** Foyer's callback; a function when Foyer starts after the IdP (it needs the IdP's issuer first). */
  redirectUri: string | (() => string);
  clientId?: string;
  clientSecret?: string;
}): Promise<TestIdp> {
  const people = new Map<string, IdpPerson>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = input.clientId ?? 'foyer-rp';
  const clientSecret = input.clientSecret ?? 'foyer-rp-secret-foyer-rp-secret-0123456789';
  const redirectUri = () => (typeof input.redirectUri === 'string' ? input.redirectUri : input.redirectUri());
  // Built at the first request, once the callback URL is known.
  const build = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [redirectUri()],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      pkce: { required: () => true },
      async findAccount(_ctx: unknown, sub: string) {
        const person = people.get(sub);
        if (!person) return undefined;
        return { accountId: sub, claims: async () => ({ sub, ...person }) };
      },
    });
  let handler: ReturnType<Provider['callback']> | undefined;
  server.on('request', (request, response) => {
    handler ??= build().callback();
    return handler(request, response);
  });
  return {
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration`,
    clientId,
    clientSecret,
    people,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
