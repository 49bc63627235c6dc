/**
 * The second password-login reference of BENCH.md: a bare oidc-provider (no Foyer, in-memory storage) signing a
 * person in through its own minimal interaction pages, on Node's own HTTP server in front of the provider. Its
 * login step does what Foyer's does at its core, one argon2id verification with Foyer's parameters
 * (src/users/passwords.ts, bench/servers/argon2-verify.ts), then hands a login and a saved Grant back to the
 * provider, which redirects with a code for a public client (PKCE) exchanged for an RS256 ID token.
 * Usage: PORT=… BASE=… node --import tsx this-file
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import Provider from 'oidc-provider';
import { signingJwks, spaClient } from './bare-common.js';

const port = Number(process.env.PORT ?? 3102);
const base = process.env.BASE ?? `http://127.0.0.1:${port}`;

const argon2Params = {
  algorithm: 2 /* Argon2id */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;
const user = {
  accountId: 'bench-user',
  email: 'bench@example.com',
  name: 'Bench User',
  passwordHash: await hash('bench-admin-password', argon2Params),
};

const provider = new Provider(base, {
  clients: [spaClient],
  jwks: signingJwks(),
  // Signed cookies, as any deployment (and Foyer) has them.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'profile', 'offline_access'],
  rotateRefreshToken: true,
  // As Foyer does: every code exchange of a client allowed the refresh_token grant gets a refresh token, though
  // the sign-in asks for offline_access without prompt=consent (which OIDC Core §11 would drop).
  issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(grant: string): boolean }) =>
    client.grantTypeAllowed('refresh_token'),
  findAccount: async (_ctx: unknown, sub: string) =>
    sub === user.accountId
      ? { accountId: sub, claims: async () => ({ sub, email: user.email, name: user.name }) }
      : undefined,
  interactions: {
    url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
  },
  features: { devInteractions: { enabled: false } },
});

// Foyer's declaration of oidc-provider (src/oidc/oidc-provider.d.ts) leaves out interactionFinished, which only
// this reference uses: interactionResult, then a 303 to where the authorization resumes.
type InteractionFinished = (
  req: IncomingMessage,
  res: ServerResponse,
  result: Record<string, unknown>,
  options: { mergeWithLastSubmission: boolean },
) => Promise<void>;
const interactionFinished = (
  provider as unknown as { interactionFinished: InteractionFinished }
).interactionFinished.bind(provider);

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><title>Sign in</title></head><body>${body}</body></html>`);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** GET /interaction/:uid: the login page of the interaction the browser's cookie names. */
async function loginPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { uid, prompt } = await provider.interactionDetails(req, res);
  if (prompt.name !== 'login') return html(res, 400, `<p>Unexpected prompt ${prompt.name}</p>`);
  html(
    res,
    200,
    `<form method="post" action="/interaction/${uid}/login">` +
      '<input type="email" name="email" autocomplete="username"/>' +
      '<input type="password" name="password" autocomplete="current-password"/>' +
      '<button type="submit">Sign in</button></form>',
  );
}

/** POST /interaction/:uid/login: one argon2id verification, then the login and a grant of the requested scopes. */
async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await formBody(req);
  const { params } = await provider.interactionDetails(req, res);
  const password = form.get('password') ?? '';
  const known = form.get('email')?.toLowerCase() === user.email;
  if (!known || !(await verify(user.passwordHash, password))) {
    return html(res, 401, '<p>Wrong email or password</p>');
  }
  const grant = new provider.Grant({ accountId: user.accountId, clientId: String(params.client_id) });
  if (params.scope) grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  await interactionFinished(
    req,
    res,
    { login: { accountId: user.accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
const interaction = /^\/interaction\/([\w-]+)(\/login)?$/;

createServer((req, res) => {
  const match = interaction.exec(req.url ?? '');
  if (!match) {
    callback(req, res);
    return;
  }
  const handler =
    req.method === 'GET' && !match[2] ? loginPage : req.method === 'POST' && match[2] ? login : null;
  if (!handler) return html(res, 405, '<p>Method not allowed</p>');
  handler(req, res).catch((error: unknown) => {
    if (!res.headersSent) html(res, 500, `<p>${String(error)}</p>`);
    else res.end();
  });
}).listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${port}\n`);
});

// Exits normally on the bench's SIGTERM, so a `--cpu-prof` run (BENCH_CPU_PROF) writes its profile.
process.on('SIGTERM', () => process.exit(0));
