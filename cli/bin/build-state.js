// Whether `npm run build` output is current: no source file of a workspace package in this checkout
// is newer than the build's stamp. A published or container install has no sources: always current.
import { readFileSync, readdirSync, statSync } from 'node:fs';

/** The packages `npm run build` compiles, in the checkout rooted at `root`. */
export const COMPILED_PACKAGES = ['engine', 'api-types', 'artifacts', 'tabular', 'ml', 'serving', 'nodes', 'sdk/ts', 'worker', 'db', 'api', 'cli'];
/** Written last by the build: `{ "builtAt": <ms since epoch> }`. */
export const BUILD_STAMP = 'cli/dist/build.json';

export function buildIsCurrent(root) {
  let builtAt;
  try {
    ({ builtAt } = JSON.parse(readFileSync(new URL(BUILD_STAMP, root), 'utf8')));
  } catch {
    return false;
  }
  for (const pkg of COMPILED_PACKAGES) {
    const src = new URL(`${pkg}/src/`, root);
    let entries;
    try {
      entries = readdirSync(src, { withFileTypes: true, recursive: true });
    } catch {
      continue; // no sources here
    }
    for (const e of entries) {
      if (
        e.isFile() &&
        !e.name.endsWith('.test.ts') &&
        statSync(`${e.parentPath}/${e.name}`).mtimeMs > builtAt
      )
        return false;
    }
  }
  return true;
}
