import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The repository's root: where `npm start` and `node dist/main.js` run from. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** A port nothing listens on right now, for a real server the test starts (never a fixed port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** Foyer running as a child process, and everything it printed so far on stdout and stderr. */
export interface FoyerProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  readyAfterMs: number;
}

/**
 * Starts `command` (Foyer, as an operator would run it) in the repository on `port`, with only PATH, HOME and
 * `env` in its environment, and waits until /readyz answers 200. It fails with the process's output if the process
 * exits first or is not ready within `readyWithinMs` (then it is killed): generous bounds, since the machine running
 * the suite may be saturated and readiness is not what these tests measure.
 */
export async function startFoyerProcess(
  command: string[],
  env: Record<string, string>,
  port: number,
  readyWithinMs: number,
): Promise<FoyerProcess> {
  const startedAt = Date.now();
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Foyer exited early (${child.exitCode}):\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() - startedAt > readyWithinMs) {
      child.kill('SIGKILL');
      throw new Error(`Foyer not ready after ${readyWithinMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, output: () => output, readyAfterMs: Date.now() - startedAt };
}

/** Resolves once `child` has exited (at once if it already has). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((done) => child.once('exit', () => done()));

/** The client-credentials token request to a Foyer on a real port (`base`), for `tenant`'s default scope. */
export const requestAppToken = (base: string, tenant: string, clientId: string, clientSecret: string) =>
  fetch(`${base}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: `${base}/.default`,
    }),
  });
