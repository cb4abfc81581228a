// The workspace packages export their compiled `dist/` by default and their TypeScript sources under
// the `source` condition. Vite (the studio) and vitest resolve the sources: no build in the dev loop.
import { defaultClientConditions, defaultServerConditions } from 'vite';

export const sourceConditions = {
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
};
