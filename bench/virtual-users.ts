/**
 * Load from virtual users for flows autocannon cannot express (several requests, cookies, state carried from one
 * request to the next): each user runs its step sequentially, bounded in time; the users run side by side.
 */

export interface DriveResult {
  /** Completed steps per second over the measured window(s). */
  rate: number;
  completed: number;
  seconds: number;
  errors: number;
  /** Each completed step's duration, ms. */
  durations: number[];
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
  return {
    rate: durations.length / elapsed,
    completed: durations.length,
    seconds: elapsed,
    errors,
    durations,
    messages: [...messages],
  };
}

/** Several measured windows as one: steps over the summed time, every duration for the percentile. */
export function combine(results: DriveResult[]): DriveResult {
  const completed = results.reduce((sum, r) => sum + r.completed, 0);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  return {
    rate: seconds > 0 ? completed / seconds : 0,
    completed,
    seconds,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    durations: results.flatMap((r) => r.durations),
    messages: [...new Set(results.flatMap((r) => r.messages))].slice(0, 5),
  };
}

export function p99(result: DriveResult): number {
  const sorted = [...result.durations].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!);
}

/** The note of a figure: latency, errors and what they said. */
export const driveNote = (result: DriveResult, extra = '') =>
  `p99 ${p99(result)} ms, ${result.completed} done, errors ${result.errors}${
    result.messages.length > 0 ? ` (${result.messages.join(' | ')})` : ''
  }${extra ? `, ${extra}` : ''}`;
