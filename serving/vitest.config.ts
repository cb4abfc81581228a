import { tmpdir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../vite.source.ts';

// Tests read data from the repository and from temp folders, and so may the processes they start.
const KILN_DATA_ROOTS = [resolve(import.meta.dirname, '..'), tmpdir()].join(delimiter);

export default defineConfig({
  ...sourceConditions,
  test: {
    env: { KILN_DATA_ROOTS },
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
