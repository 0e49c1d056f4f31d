import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers. `npm run test:unit` runs the `unit` project alone: pure tests that need no database, no
// browser, no spawned stack and no training on real data (under a minute). `npm test` runs both projects.
// A new test file is `integration` unless it is listed here; list it only if it is pure and quick.
const UNIT = [
  'apps/portal/test/{codegen,evaluationTable,genePage,heatmapPage,kaplanMeierPlot,mapAxes,modelChoice,sampleTable,session,sharedMaths,signInLimit,survivalChoice,trust}.test.ts',
  'services/api/test/{codegen,units}.test.ts',
  'services/core/test/formats/{barcode,counts,detect,gdc,table}.test.ts',
  'services/core/test/config.test.ts',
  'services/core/test/db/clientStamp.test.ts',
  'services/core/test/gene/resolve.test.ts',
  'model/test/differential/*.test.ts',
  'model/test/cluster/*.test.ts',
  'model/test/survival/*.test.ts',
  'model/test/simulate/*.test.ts',
  'model/test/random/*.test.ts',
  'model/test/gexbert/architecture/{config,model}.test.ts',
  'model/test/gexbert/training/batch.test.ts',
  'model/test/gexbert/inference/normalise.test.ts',
  'model/test/evaluate/{report,reportParts,survival}.test.ts',
  'model/test/data/dataset.test.ts',
  'model/test/stats/*.test.ts',
  'model/test/heads/{calibration,validation}.test.ts',
];

const ALL = [
  'model/test/**/*.test.ts',
  'services/*/test/**/*.test.ts',
  'apps/*/test/**/*.test.ts',
  'test/**/*.test.ts',
];

// Tests that need PostgreSQL get it from the integration project's global setup (an embedded server
// started once; each test file creates its own database from a migrated template).
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/setup/summaryReporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ALL,
          exclude: [...configDefaults.exclude, ...UNIT],
          globalSetup: ['test/setup/postgres.ts'],
        },
      },
    ],
  },
});
