#!/usr/bin/env node
// `npm run build`: compiles each package's TypeScript sources to JavaScript (`<pkg>/src/x.ts` becomes
// `<pkg>/dist/x.js`, the same depth, so paths between packages stay true) with swc, which keeps the
// decorator metadata Nest needs and rewrites the extensionless relative imports to the `.js` files Node
// resolves; `.mjs` files (worker threads' code) are copied as they are. It also prebuilds the Temporal
// workflow bundle, so that a compiled worker starts without webpack, and @kiln/sdk's declaration files
// (with those of the packages its types come from); first it regenerates the CSV kernel's WebAssembly
// module (tabular/wasm/build.mjs). The studio builds with Vite.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transformFile } from '@swc/core';
import { BUILD_STAMP, COMPILED_PACKAGES } from '@kiln/cli/build-state';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where the prebuilt workflow bundle goes: read by worker/src/workflow-bundle.ts once compiled. */
export const WORKFLOW_BUNDLE = join(ROOT, 'worker/dist/workflow-code.js');

const swcOptions = (srcDir) => ({
  swcrc: false,
  sourceMaps: true,
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2023',
    baseUrl: srcDir,
    keepClassNames: true,
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'es6', resolveFully: true },
});

async function sourceFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function compilePackage(pkg) {
  const src = join(ROOT, pkg, 'src');
  const dist = join(ROOT, pkg, 'dist');
  await rm(dist, { recursive: true, force: true });
  const files = await sourceFiles(src);
  let count = 0;
  await Promise.all(
    files.map(async (file) => {
      const rel = relative(src, file);
      if (rel.endsWith('.ts') && !rel.endsWith('.test.ts') && !rel.endsWith('.d.ts')) {
        const out = join(dist, rel.replace(/\.ts$/, '.js'));
        const { code, map } = await transformFile(file, { ...swcOptions(src), outputPath: out });
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, `${code}\n//# sourceMappingURL=${out.slice(dirname(out).length + 1)}.map\n`);
        if (map) await writeFile(`${out}.map`, map);
        count++;
      } else if (rel.endsWith('.mjs')) {
        const out = join(dist, rel);
        await mkdir(dirname(out), { recursive: true });
        await copyFile(file, out);
        count++;
      }
    }),
  );
  return count;
}

async function buildWorkflowBundle() {
  const require = createRequire(join(ROOT, 'worker/package.json'));
  const { bundleWorkflowCode } = await import(require.resolve('@temporalio/worker'));
  // Where the worker's own dev-loop bundling starts (the compiled module, just written, tells).
  const { WORKFLOWS_PATH } = await import(join(ROOT, 'worker/dist/workflow-bundle.js'));
  const quiet = () => {};
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet },
  });
  await mkdir(dirname(WORKFLOW_BUNDLE), { recursive: true });
  await writeFile(WORKFLOW_BUNDLE, code);
}

/** Where tsc writes the declarations (`<pkg>/src/x.d.ts`), with its incremental state: kept between builds. */
const DECLARATIONS = join(ROOT, 'node_modules/.cache/kiln-declarations');

/**
 * @kiln/sdk's `.d.ts` files and those of the packages its types come from (the program of
 * `sdk/ts/tsconfig.declarations.json`), so a node package outside this checkout typechecks with
 * its own tsconfig (`types` in those packages' `exports`). tsc writes them apart (incremental: a
 * second build with no change takes a third of the time); each goes to its package's `dist/` with
 * its relative imports given the `.js` a NodeNext project needs (the sources leave them out).
 */
async function emitDeclarations() {
  const require = createRequire(import.meta.url);
  try {
    await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'sdk/ts/tsconfig.declarations.json'], { cwd: ROOT });
  } catch (err) {
    throw new Error(`build: the declaration files (tsc -p sdk/ts/tsconfig.declarations.json) failed:\n${err.stdout || err.message}`);
  }
}

async function placeDeclarations() {
  let count = 0;
  for (const file of await sourceFiles(DECLARATIONS)) {
    const rel = relative(DECLARATIONS, file);
    const at = rel.indexOf('/src/');
    // Not one of a source file tsc no longer compiles (a removed one's stays where tsc wrote it).
    if (!rel.endsWith('.d.ts') || at < 0 || !existsSync(join(ROOT, rel.replace(/\.d\.ts$/, '.ts')))) continue;
    const text = (await readFile(file, 'utf8')).replace(/((?:from|import\()\s*)(['"])(\.\.?\/[^'"]*)\2/g, (whole, before, quote, spec) => {
      const target = join(dirname(file), spec);
      if (existsSync(`${target}.d.ts`)) return `${before}${quote}${spec}.js${quote}`;
      if (existsSync(join(target, 'index.d.ts'))) return `${before}${quote}${spec}/index.js${quote}`;
      return whole;
    });
    const out = join(ROOT, rel.slice(0, at), 'dist', rel.slice(at + '/src/'.length));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, text);
    count++;
  }
  return count;
}

const startedAt = Date.now();
// The CSV kernel's WebAssembly, compiled from its AssemblyScript into a module of tabular/src first.
execFileSync(process.execPath, [join(ROOT, 'tabular/wasm/build.mjs')], { stdio: 'inherit' });
// Beside the JavaScript (a second process: tsc is the slow part).
const declarations = emitDeclarations().then(() => undefined, (err) => err);
for (const pkg of COMPILED_PACKAGES) {
  const count = await compilePackage(pkg);
  console.log(`build: ${pkg}/dist ${count} files`);
}
await buildWorkflowBundle();
console.log(`build: ${relative(ROOT, WORKFLOW_BUNDLE)} (Temporal workflow bundle)`);
const failed = await declarations;
if (failed) throw failed;
console.log(`build: ${await placeDeclarations()} declaration files (@kiln/sdk and the packages its types come from)`);
// Last, so that an interrupted build is never taken for a current one (cli/bin/build-state.js).
await writeFile(join(ROOT, BUILD_STAMP), `${JSON.stringify({ builtAt: startedAt })}\n`);
console.log(`build: done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
