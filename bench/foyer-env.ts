import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { tempDir } from './lib.js';

export const CLIENT_SECRET = 'bench-client-secret-0123456789-abcdefghij';

/**
 * The database of a bench run: a fresh SQLite file, or with BENCH_DATABASE_URL=postgres://… a fresh schema on
 * that server (created with psql), so the scenarios run on PostgreSQL too.
 */
function databaseUrl(dir: string): string {
  const postgres = process.env.BENCH_DATABASE_URL;
  if (!postgres) return `sqlite:${join(dir, 'foyer.db')}`;
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  execFileSync('psql', [postgres, '-qc', `create schema ${schema}`]);
  return `${postgres}${postgres.includes('?') ? '&' : '?'}schema=${schema}`;
}

/** Drops the PostgreSQL schema a bench run created (a seeded one holds 100,000 users); nothing for SQLite. */
export function dropDatabase(databaseUrl: string): void {
  if (databaseUrl.startsWith('sqlite:')) return;
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  if (schema?.startsWith('bench_'))
    execFileSync('psql', [
      url.toString(),
      '-qc',
      `set client_min_messages = warning; drop schema ${schema} cascade`,
    ]);
}

/** A fresh Foyer (SQLite, or PostgreSQL with BENCH_DATABASE_URL) with known bootstrap credentials. */
export function foyerEnv(name: string, extra: Record<string, string> = {}) {
  const dir = tempDir(name);
  const clientId = randomUUID();
  return {
    dir,
    clientId,
    env: {
      FOYER_ENV: 'development',
      FOYER_DATA_DIR: dir,
      FOYER_DATABASE_URL: extra.FOYER_DATABASE_URL ?? databaseUrl(dir),
      FOYER_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
      FOYER_BOOTSTRAP_TENANT: 'Bench',
      FOYER_BOOTSTRAP_CLIENT_ID: clientId,
      FOYER_BOOTSTRAP_CLIENT_SECRET: CLIENT_SECRET,
      FOYER_BOOTSTRAP_ADMIN_PASSWORD: 'bench-admin-password',
      // BENCH.md: shipped defaults in every scenario, except throttling, which is off.
      FOYER_SIGNIN_RATE_LIMIT: '0',
      FOYER_TOKEN_RATE_LIMIT: '0',
      // The API-wide budget too (3,000 per 5 s per caller): above 600 invitations/s it answered 429s that the
      // load generator counted as served requests.
      FOYER_API_RATE_LIMIT: '0',
      ...extra,
    },
  };
}

export async function appToken(url: string, clientId: string): Promise<string> {
  const response = await fetch(`${url}/bench/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: CLIENT_SECRET,
      scope: `${url}/.default`,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * POST /v1.0/invitations as `token`, a new guest each time (`prefix`0@partner1.example, …, over 50 partner
 * domains) with the invitation mail queued. One request object may serve several instances: `sent()` counts the
 * invitations it built, across all of them.
 */
export function invitationRequest(
  token: string,
  prefix: string,
): { request: autocannon.Request; sent: () => number } {
  let counter = 0;
  return {
    request: {
      method: 'POST',
      path: '/v1.0/invitations',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({
          invitedUserEmailAddress: `${prefix}${counter++}@partner${counter % 50}.example`,
          inviteRedirectUrl: 'https://apps.example/welcome',
          sendInvitationMessage: true,
        }),
      }),
    },
    sent: () => counter,
  };
}
