#!/usr/bin/env node
// The `kiln` command: runs the TypeScript sources through swc (no build step between an edit and
// the next run), with the repository's tsconfig wherever it is started from: the API's decorators
// need its decorator-metadata settings.
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

process.env.SWC_NODE_PROJECT ??= fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
register('@swc-node/register/esm', import.meta.url);
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
