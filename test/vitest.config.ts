import { tmpdir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../vite.source.ts';

// Tests read data from the repository and from temp folders, and so may the processes they start.
const KILN_DATA_ROOTS = [resolve(import.meta.dirname, '..'), tmpdir()].join(delimiter);

// Every file here talks to one real Temporal dev server started by the global setup; files run one
// at a time so their workers (which serve the same queues) never pick up each other's tasks.
export default defineConfig({
  ...sourceConditions,
  test: {
    env: { KILN_DATA_ROOTS },
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['./support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
