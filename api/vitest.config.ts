import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../vite.source.ts';

export default defineConfig({
  ...sourceConditions,
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false },
});
