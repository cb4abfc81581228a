import { defineConfig } from '@kiln/sdk';

// `kiln worker` in this folder serves these node packages beside Kiln's built-ins and, given
// KILN_API_URL and a worker token, registers their types with the API.
export default defineConfig({
  nodes: ['./src/index.ts'],
});
