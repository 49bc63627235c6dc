import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';

/**
 * Slow and greedy clients against a real server on an ephemeral loopback port. Deadlines are shortened through
 * the configuration so every case ends within seconds; counts stay small.
 */
const LIMITS = {
  FOYER_HTTP_HEADERS_TIMEOUT_MS: '400',
  FOYER_HTTP_REQUEST_TIMEOUT_MS: '800',
  FOYER_HTTP_IDLE_TIMEOUT_MS: '1500',
  FOYER_HTTP_MAX_CONNECTIONS_PER_CLIENT: '6',
};
/** Generous: the deadline, plus Node's checking period, plus a loaded CI machine. */
const CLOSED_WITHIN_MS = 4_000;

interface Outcome {
  received: string;
  closedAfterMs: number;
}

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await buildTestApp('sqlite', { env: LIMITS });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterAll(() => t.close());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `chunks` one every `everyMs` (stopping once the server closes), and reports what came back. */
async function trickle(chunks: string[], everyMs: number, giveUpMs = 8_000): Promise<Outcome> {
  const socket = await open();
  const started = Date.now();
  let received = '';
  socket.on('data', (data: Buffer) => {
    received += data.toString();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const timer = setInterval(() => {
    const chunk = chunks.shift();
    if (chunk !== undefined && !socket.destroyed) socket.write(chunk);
  }, everyMs);
  const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, giveUpMs).unref());
  await Promise.race([closed, gaveUp]);
  clearInterval(timer);
  socket.destroy();
  return { received, closedAfterMs: Date.now() - started };
}

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));

describe('slow clients on a real socket', () => {
  it('headers trickled a byte at a time are cut off with a 408 in the Graph envelope', async () => {
    const request =
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const outcome = await trickle(request.split(''), 50);
    expect(outcome.closedAfterMs).toBeLessThan(CLOSED_WITHIN_MS);
    expect(statusOf(outcome.received)).toBe(408);
    expect(bodyOf(outcome.received).error).toMatchObject({ code: 'Request_Timeout' });
    expect(outcome.received).toMatch(/\r\nrequest-id: [0-9a-f-]{36}\r\n/);
  });

  it('a body that never completes is cut off (unauthenticated form endpoint)', async () => {
    const head =
      'POST /invitations/block HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n';
    const outcome = await trickle([head, ...'tenant=x&invitation=y'.split('')], 100);
    expect(outcome.closedAfterMs).toBeLessThan(CLOSED_WITHIN_MS);
    expect(statusOf(outcome.received)).toBe(408);
    expect(bodyOf(outcome.received).error.code).toBe('Request_Timeout');
  });

  it('a connection that never sends a byte is closed', async () => {
    const outcome = await trickle([], 1_000);
    expect(outcome.closedAfterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it('one address holds at most the configured number of connections; the rest are refused at once', async () => {
    const held = await Promise.all(Array.from({ length: 6 }, open));
    const refused = await trickle([], 1_000, 3_000);
    expect(refused.closedAfterMs).toBeLessThan(1_000);
    expect(refused.received).toBe('');
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Freed slots are usable again: a normal request completes.
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
  });

  it('a 70,000-character URL gets a 431 with the Graph envelope, not an empty body', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1.0/users/${'a'.repeat(70_000)}`);
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { error: { code: string; innerError: Record<string, string> } };
    expect(body.error).toMatchObject({ code: 'Request_HeaderFieldsTooLarge' });
    expect(body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
  });
});
