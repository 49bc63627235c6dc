/** Time as a parameter, so tests control it without monkey-patching. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** ISO-8601 UTC with milliseconds: the storage format of every timestamp (sorts correctly as text). */
export const isoNow = (clock: Clock): string => clock.now().toISOString();
