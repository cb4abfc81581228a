import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where the workspace's package.json is). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where Kiln keeps its state (`KILN_HOME`, default `.kiln` in the working directory). */
export function kilnHome(): string {
  const home = resolve(process.env.KILN_HOME ?? join(process.cwd(), '.kiln'));
  mkdirSync(home, { recursive: true });
  return home;
}

/** Where downloaded tools live (`KILN_TOOLS_DIR`, default `.kiln/tools` at the repository root). */
export function toolsDir(): string {
  return resolve(process.env.KILN_TOOLS_DIR ?? join(REPO_ROOT, '.kiln', 'tools'));
}
