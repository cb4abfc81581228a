import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../vite.source.ts';

export default defineConfig({
  ...sourceConditions,
  test: { include: ['**/*.test.ts'], exclude: ['node_modules/**', 'results/**'] },
});
