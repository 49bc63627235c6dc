/**
 * Load from virtual users for flows autocannon cannot express (several requests, cookies, state carried from one
 * request to the next): each user runs its step sequentially, bounded in time; the users run side by side.
 */

export interface DriveResult {
  /** Completed steps per second over the measured window. */
  rate: number;
  completed: number;
  errors: number;
  /** 99th percentile of one step's duration, ms. */
  p99: number;
  /** The first few distinct error messages, to report. */
  messages: string[];
}

/**
 * Runs `step(user)` in a loop for each of `users` virtual users until `seconds` have passed. A user whose step
 * throws counts an error and goes on, unless `stopOnError` (a broken chain of refresh tokens cannot go on).
 */
export async function drive(
  users: number,
  seconds: number,
  step: (user: number) => Promise<void>,
  options: { stopOnError?: boolean } = {},
): Promise<DriveResult> {
  const durations: number[] = [];
  const messages = new Set<string>();
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  async function run(user: number) {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await step(user);
        durations.push(performance.now() - t0);
      } catch (error) {
        errors++;
        if (messages.size < 5) messages.add(error instanceof Error ? error.message : String(error));
        if (options.stopOnError) return;
      }
    }
  }
  await Promise.all(Array.from({ length: users }, (_, user) => run(user)));
  const elapsed = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  const p99 =
    durations.length > 0
      ? durations[Math.min(durations.length - 1, Math.floor(durations.length * 0.99))]!
      : 0;
  return {
    rate: durations.length / elapsed,
    completed: durations.length,
    errors,
    p99: Math.round(p99),
    messages: [...messages],
  };
}

/** The note of a figure: latency, errors and what they said. */
export const driveNote = (result: DriveResult, extra = '') =>
  `p99 ${result.p99} ms, ${result.completed} done, errors ${result.errors}${
    result.messages.length > 0 ? ` (${result.messages.join(' | ')})` : ''
  }${extra ? `, ${extra}` : ''}`;
