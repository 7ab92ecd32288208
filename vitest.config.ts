import { defineConfig } from 'vitest/config';

/**
 * One project per kind of test (see test/README.md): unit tests are pure and fast;
 * integration tests run against DynamoDB Local, the SMTP intake and the ASL runner;
 * infra tests synthesize the CDK app; e2e tests drive Debian Chromium against the local cloud.
 */
export default defineConfig({
  test: {
    projects: [
      // The portal's own logic (no DOM needed) is tested beside it, with the portal's compiler settings.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'web/src/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
