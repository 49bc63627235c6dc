import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REDIRECT_URI, signIn } from '../browser.js';
import { foyerEnv } from '../foyer-env.js';
import { benchSpa } from '../foyer-spa.js';
import { buildDist, cpuPerOp, cpuTime, type Figure, freePort, pinned, round, startServer } from '../lib.js';
import { drive, driveNote } from '../virtual-users.js';

const USERS = 4;
const WARMUP_SECONDS = 3;
const SECONDS = 15;
const BASELINE_SECONDS = 8;

/** argon2id verifications/s alone, Foyer's parameters, in a child pinned to the core Foyer runs on. */
async function argon2VerifyRate(): Promise<{ rate: number; cpuMs: number }> {
  const [command, args] = pinned(process.execPath, ['--import', 'tsx', 'bench/servers/argon2-verify.ts'], 0);
  const { stdout } = await promisify(execFile)(command, args, {
    env: { ...process.env, DURATION_SECONDS: String(BASELINE_SECONDS), IN_FLIGHT: String(USERS) },
  });
  const result = JSON.parse(stdout.trim()) as { rate: number; failed: number; cpuMs: number };
  if (result.failed > 0) throw new Error(`argon2 baseline: ${result.failed} verifications failed`);
  return result;
}

/**
 * Complete interactive sign-ins per second (authorize → email page → identify → password → code → token) by a
 * few virtual users, each sign-in in a fresh browser, against the argon2id verify rate alone in the same run.
 */
export async function passwordLogin(): Promise<Figure[]> {
  const argon2 = await argon2VerifyRate();

  const port = await freePort();
  const { env, clientId } = foyerEnv('login', { FOYER_BASE_URL: `http://127.0.0.1:${port}` });
  buildDist();
  const foyer = await startServer('dist/main.js', env, { port, compiled: true });
  try {
    const { appId, adminEmail } = await benchSpa(foyer.url, clientId, REDIRECT_URI);
    const user = { clientId: appId, email: adminEmail, password: env.FOYER_BOOTSTRAP_ADMIN_PASSWORD };
    const once = async () => {
      await signIn(foyer.url, 'bench', user);
    };
    const warmup = await drive(USERS, WARMUP_SECONDS, once);
    const cpuBefore = cpuTime(foyer.process.pid);
    const result = await drive(USERS, SECONDS, once);
    const cpu = cpuPerOp(cpuBefore, cpuTime(foyer.process.pid), result.completed, 'Foyer');
    const ratio = result.rate / argon2.rate;
    return [
      {
        scenario: 'password-login',
        value: round(result.rate, 1),
        unit: 'sign-ins/s',
        baseline: round(argon2.rate, 1),
        ratio: round(ratio, 2),
        target: '>= 85% of the argon2id verify rate alone (same params, same core)',
        met: ratio >= 0.85 && result.errors + warmup.errors === 0,
        note: driveNote(
          result,
          `${USERS} users, warm-up errors ${warmup.errors}, ${cpu}, argon2 CPU ${round(argon2.cpuMs, 1)} ms/verify`,
        ),
      },
    ];
  } finally {
    await foyer.stop();
  }
}
