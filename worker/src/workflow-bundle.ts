import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { kilnHome } from '@kiln/engine/home';

const require = createRequire(import.meta.url);

/** The workflow entry point, engine/src/workflow/index.ts (the bundle is always made from sources). */
export const WORKFLOWS_PATH = join(dirname(require.resolve('@kiln/engine/package.json')), 'src/workflow/index.ts');

/** The bundle `npm run build` makes (scripts/build.mjs): next to this module once compiled, absent in src/. */
const PREBUILT = new URL('./workflow-code.js', import.meta.url);

let memo: Promise<{ code: string }> | undefined;

/**
 * The bundled workflow code: the build's own when running compiled; from sources, built once per
 * source version and kept under `.kiln/cache` (bundling takes seconds; starting a worker from the
 * cached bundle does not).
 */
export function workflowBundle(): Promise<{ code: string }> {
  memo ??= (async () => {
    if (existsSync(PREBUILT)) return { code: readFileSync(PREBUILT, 'utf8') };
    const engineSrc = dirname(dirname(WORKFLOWS_PATH));
    const hash = createHash('sha256');
    hash.update(require('@temporalio/worker/package.json').version as string);
    for (const file of sourceFiles(engineSrc)) hash.update(file).update(readFileSync(file));
    const cacheDir = join(kilnHome(), 'cache');
    const cached = join(cacheDir, `workflow-bundle-${hash.digest('hex').slice(0, 16)}.js`);
    if (existsSync(cached)) return { code: readFileSync(cached, 'utf8') };
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, cached);
    return { code };
  })();
  return memo;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const quiet = () => {};
const quietLogger = { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet };
