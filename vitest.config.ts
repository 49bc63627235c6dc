import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for what a person would wait for (a redirect chain in Chromium, a queued mail): vitest's
    // 1 s default failed a browser journey on a busy 2-core VM whose sign-in took longer. A poll that would fail
    // still fails, only later.
    expect: { poll: { timeout: 10_000 } },
    // Each file builds its own app on its own database; files run in parallel on the two cores.
    pool: 'forks',
    maxWorkers: 2,
    // A worker keeps the modules it imported from one file to the next: importing Foyer anew for each of 111
    // files was a fifth of the suite's time. No test mocks a module, and every cache or registry of Foyer's hangs
    // off the app or database a file builds for itself, so nothing of one file's state reaches the next.
    isolate: false,
    // dist/, built once before any file runs: the `foyer` command and `npm start` run it (test/helpers/global-setup.ts).
    globalSetup: ['./test/helpers/global-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
