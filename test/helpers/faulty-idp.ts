import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** What the IdP gets wrong in the ID token it issues; `none` is a provider that behaves. */
export type IdTokenFault =
  | 'none'
  | 'wrongIssuer'
  | 'wrongAudience'
  | 'wrongNonce'
  | 'missingNonce'
  | 'foreignKey'
  | 'expired'
  | 'emailUnverified'
  | 'emailVerifiedMissing';

export interface FaultyIdp {
  issuer: string;
  metadataUrl: string;
  clientId: string;
  clientSecret: string;
  /** The fault of the next ID tokens; tests set it before each sign-in. */
  fault: IdTokenFault;
  /** Who the next sign-in is (the `sub` and `email` of the ID token). */
  person: { sub: string; email: string };
  /** How many times the discovery document was fetched. */
  discoveryFetches: number;
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  /** While true, the discovery document is a 503 (the provider is down). */
  discoveryDown: boolean;
  /** The browser's visit (a real GET): the authorize URL Foyer sent it to → the callback URL with a code. */
  authorize(authorizeUrl: string): Promise<string>;
  stop(): Promise<void>;
}

const CLIENT_ID = 'foyer-rp';
const CLIENT_SECRET = 'faulty-idp-secret-0123456789-0123456789';

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return new URLSearchParams(body);
}

/**
 * A minimal OpenID Connect provider on a loopback port that issues ID tokens with a chosen fault (wrong issuer,
 * audience or nonce, a key not in its JWKS, expired, an unverified address). oidc-provider cannot be made to
 * misbehave, so this one is written by hand from jose — it only serves tests. Its authorize endpoint signs in
 * `person` at once and redirects back with a code (`authorize()` plays the browser's visit); discovery, JWKS and
 * token are requested by Foyer itself. The client authenticates with client_secret_post, as Foyer does.
 */
export async function startFaultyIdp(): Promise<FaultyIdp> {
  const signing = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'good', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string | undefined; person: FaultyIdp['person'] }>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  async function idToken(code: { nonce: string | undefined; person: FaultyIdp['person'] }) {
    const fault = idp.fault;
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = fault === 'expired' ? now - 7200 : now;
    const nonce = fault === 'wrongNonce' ? 'not-the-nonce' : code.nonce;
    const claims: Record<string, unknown> = {
      email: code.person.email,
      name: 'Faulty Guest',
      ...(fault !== 'emailVerifiedMissing' && { email_verified: fault !== 'emailUnverified' }),
      ...(fault !== 'missingNonce' && nonce !== undefined && { nonce }),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'good' })
      .setIssuer(fault === 'wrongIssuer' ? 'https://elsewhere.example' : issuer)
      .setAudience(fault === 'wrongAudience' ? 'another-client' : CLIENT_ID)
      .setSubject(code.person.sub)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 3600)
      .sign(fault === 'foreignKey' ? foreign.privateKey : signing.privateKey);
  }

  server.on('request', async (request, response) => {
    const path = new URL(request.url ?? '/', issuer).pathname;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      idp.discoveryFetches += 1;
      if (idp.discoveryDown) return json(503, { error: 'temporarily_unavailable' });
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === '/authorize') {
      const { searchParams: query } = new URL(request.url ?? '/', issuer);
      if (query.get('client_id') !== CLIENT_ID || query.get('code_challenge_method') !== 'S256')
        return json(400, { error: 'invalid_request' });
      const code = randomUUID();
      codes.set(code, { nonce: query.get('nonce') ?? undefined, person: { ...idp.person } });
      const back = new URL(query.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', query.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (path === '/jwks') {
      idp.jwksFetches += 1;
      return json(200, { keys: [jwk] });
    }
    if (path === '/token' && request.method === 'POST') {
      const form = await formOf(request);
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const authenticated =
        form.get('client_id') === CLIENT_ID && form.get('client_secret') === CLIENT_SECRET;
      if (!code || !authenticated || !form.get('code_verifier')) return json(400, { error: 'invalid_grant' });
      return json(200, {
        access_token: randomUUID(),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await idToken(code),
      });
    }
    return json(404, { error: 'not_found' });
  });

  const idp: FaultyIdp = {
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    fault: 'none',
    person: { sub: 'guest', email: 'guest@faulty.example' },
    discoveryFetches: 0,
    jwksFetches: 0,
    discoveryDown: false,
    async authorize(authorizeUrl) {
      if (!authorizeUrl.startsWith(`${issuer}/authorize?`)) throw new Error(`not this IdP: ${authorizeUrl}`);
      const response = await fetch(authorizeUrl, { redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) throw new Error(`refused: ${await response.text()}`);
      return location;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return idp;
}
