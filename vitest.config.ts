import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/support/fast-check-seed.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // expect.poll waits for what the page shows; on a loaded 2-core machine Chromium can take more than
          // the 1 s default to draw a terminal. A wait that succeeds returns at once, so this only bounds failures.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
