// Shared vitest settings: resolve workspace packages to their TypeScript sources (the
// "@tierline/source" export condition), so tests never need a prior build.
import { defineConfig } from 'vitest/config';

export const sharedConfig = defineConfig({
  resolve: { conditions: ['@tierline/source'] },
  ssr: { resolve: { conditions: ['@tierline/source'], externalConditions: ['@tierline/source'] } },
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share real servers; keep files in separate processes but few at once
    // on small machines.
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report lets `npm test` print one summary line over all packages.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
