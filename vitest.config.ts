import { defineConfig } from 'vitest/config';

// One test run for the whole monorepo. Tests that need PostgreSQL get it from the global setup
// (an embedded server started once; each test file creates its own database from a migrated template).
export default defineConfig({
  test: {
    include: [
      'model/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ['test/setup/postgres.ts'],
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/setup/summaryReporter.ts'],
  },
});
