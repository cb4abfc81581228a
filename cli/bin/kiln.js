#!/usr/bin/env node
// The `kiln` command. It runs the compiled JavaScript in ../dist (made by `npm run build`). In the dev
// loop it runs the TypeScript sources through swc instead (no build step between an edit and the next
// run): when there is no build, when a source file in the checkout is newer than the build, or with
// KILN_DEV=1. KILN_DEV=0 runs the build without looking at the sources (containers, benchmarks).
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildIsCurrent } from './build-state.js';

const DIST_MAIN = new URL('../dist/main.js', import.meta.url);
const dev = process.env.KILN_DEV;
const compiled =
  dev === '0' || (dev !== '1' && existsSync(DIST_MAIN) && buildIsCurrent(new URL('../..', import.meta.url)));

let main;
if (compiled) {
  ({ main } = await import(DIST_MAIN.href));
} else {
  // The API's decorators need the repository tsconfig's decorator-metadata settings. The hook is
  // swc-node's, resolving the workspace packages through their `source` export condition (their
  // TypeScript entry points).
  process.env.SWC_NODE_PROJECT ??= fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  register('./source-condition.js', import.meta.url);
  ({ main } = await import('../src/main.ts'));
}
// The command has finished (what it started is stopped, its output written; stdout and stderr are
// synchronous on files and pipes): exit now, not when the Temporal SDK's native threads wind down.
process.exit(await main(process.argv.slice(2)));
