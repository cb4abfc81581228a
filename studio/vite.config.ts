import { defineConfig } from 'vitest/config';
import { sourceConditions } from '../vite.source.ts';
import react from '@vitejs/plugin-react';

// The API serves dist/ at `/`; in development, `vite` proxies API calls to a running `kiln up`.
export default defineConfig({
  ...sourceConditions,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { proxy: { '/api': process.env.KILN_API_URL ?? 'http://127.0.0.1:8080' } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
