/**
 * The refresh baseline of BENCH.md: a bare oidc-provider (no Foyer, in-memory storage) answering the refresh-token
 * grant of a public client with rotation, an RS256 ID token and an opaque access token — what Foyer answers for
 * `openid profile offline_access`. `POST /bench/mint` hands out a fresh refresh token made straight through the
 * provider's models (a saved Grant and a RefreshToken for it), so the load measures the refresh grant alone.
 * Usage: PORT=… BASE=… node --import tsx this-file
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { SPA_CLIENT_ID, signingJwks, spaClient } from './bare-common.js';

const port = Number(process.env.PORT ?? 3101);
const base = process.env.BASE ?? `http://127.0.0.1:${port}`;

const CLIENT_ID = SPA_CLIENT_ID;
const SCOPE = 'openid profile offline_access';

const provider = new Provider(base, {
  clients: [spaClient],
  jwks: signingJwks(),
  scopes: ['openid', 'profile', 'offline_access'],
  rotateRefreshToken: true,
  features: { devInteractions: { enabled: false } },
});

// Foyer's declaration of oidc-provider (src/oidc/oidc-provider.d.ts) leaves out the RefreshToken model, which
// only this baseline uses; its constructor takes the token's properties, as the refresh grant itself does.
type RefreshTokenModel = new (properties: Record<string, unknown>) => { save(): Promise<string> };
const { RefreshToken } = provider as unknown as { RefreshToken: RefreshTokenModel };

/** A refresh token as an authorization-code exchange would have left it, without the sign-in before it. */
async function mint(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const accountId = 'bench-user';
  const grant = new provider.Grant({ accountId, clientId: CLIENT_ID });
  grant.addOIDCScope(SCOPE);
  const grantId = await grant.save();
  const client = await provider.Client.find(CLIENT_ID);
  const refreshToken = new RefreshToken({
    accountId,
    client,
    grantId,
    scope: SCOPE,
    gty: 'authorization_code',
    authTime: now,
    iiat: now,
    rotations: 0,
  });
  return refreshToken.save();
}

const callback = provider.callback();
createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/bench/mint') {
    mint().then(
      (refreshToken) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ refresh_token: refreshToken }));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      },
    );
    return;
  }
  callback(request, response);
}).listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${port}\n`);
});

// Exits normally on the bench's SIGTERM, so a `--cpu-prof` run (BENCH_CPU_PROF) writes its profile.
process.on('SIGTERM', () => process.exit(0));
