/**
 * The password-login baseline of BENCH.md: argon2id verifications per second alone, with Foyer's parameters
 * (src/users/passwords.ts: m = 19 MiB, t = 2, p = 1, @node-rs/argon2), a few in flight as a server would have.
 * Hashes once, verifies in a loop for DURATION_SECONDS, and prints one JSON line {"rate", "verified", "seconds",
 * "failed", "cpuMs"}: cpuMs is this process's CPU per verification, which the noise of a shared machine does not change.
 * Usage: DURATION_SECONDS=8 IN_FLIGHT=4 node --import tsx this-file (pinned to a core by the caller)
 */
import { hash, verify } from '@node-rs/argon2';

const params = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const seconds = Number(process.env.DURATION_SECONDS ?? 8);
const inFlight = Number(process.env.IN_FLIGHT ?? 4);
const password = 'bench-admin-password';

const stored = await hash(password, params);
// One verification first, so the measured loop starts warm.
await verify(stored, password);

let verified = 0;
let failed = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const deadline = started + seconds * 1000;
async function worker() {
  while (performance.now() < deadline) {
    if (await verify(stored, password)) verified++;
    else failed++;
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000 / Math.max(1, verified);
process.stdout.write(
  `${JSON.stringify({ rate: verified / elapsed, verified, seconds: elapsed, failed, cpuMs })}\n`,
);
