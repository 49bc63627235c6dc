/**
 * The client-credentials baseline of BENCH.md: a bare oidc-provider (no Foyer) issuing the same RS256 JWT access
 * tokens for a static client, on Node's own HTTP server. Usage: PORT=… BASE=… node --import tsx this-file
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { signingJwks } from './bare-common.js';

const port = Number(process.env.PORT ?? 3100);
const base = process.env.BASE ?? `http://127.0.0.1:${port}`;

const provider = new Provider(base, {
  clients: [
    {
      client_id: 'bench-client',
      client_secret: 'bench-secret-bench-secret-bench-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
  ],
  jwks: signingJwks(),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => base,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: `${base}/.default`,
        audience: base,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});

createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${port}\n`);
});

// Exits normally on the bench's SIGTERM, so a `--cpu-prof` run (BENCH_CPU_PROF) writes its profile.
process.on('SIGTERM', () => process.exit(0));
