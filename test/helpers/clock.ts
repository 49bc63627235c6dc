import type { Clock } from '../../src/platform/clock.js';

export const DAY_MS = 86_400_000;

export interface MovableClock extends Clock {
  advance(ms: number): void;
  /** Back to real time. */
  reset(): void;
}

/**
 * Real time plus an offset the test moves (token and secret lifetimes, invitation expiry) without waiting.
 * oidc-provider issues tokens at real time while the directory API verifies them with services.clock, so API
 * calls only work while the offset stays inside a token's hour; tests that jump days ahead drive the jobs
 * through services and come back (reset) before calling the API.
 */
export function movableClock(): MovableClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
    reset() {
      offset = 0;
    },
  };
}

export interface StandingClock extends Clock {
  advance(ms: number): void;
  /** Jumps to just past the next minute boundary, so a burst never straddles two counting windows. */
  nextWindow(windowMs: number): void;
}

/** A clock that stands still where the test puts it (now, or `start`) and moves only when told. */
export function standingClock(start: string | number = Date.now()): StandingClock {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
    nextWindow(windowMs) {
      now = (Math.floor(now / 60_000) + 1) * 60_000 + 100;
      if (now % windowMs !== 100) throw new Error('windows must divide a minute');
    },
  };
}
