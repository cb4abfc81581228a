import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../vite.source.ts';

// Every file here talks to one real Temporal dev server started by the global setup; files run one
// at a time so their workers (which serve the same queues) never pick up each other's tasks.
export default defineConfig({
  ...sourceConditions,
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['./support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
