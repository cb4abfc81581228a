import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { STUDIO_DIST } from './serve-studio';

const STUDIO = resolve(STUDIO_DIST, '..');
const ROOT = resolve(STUDIO, '..');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Whether a built studio bundles React's development build (its code calls `jsxDEV`). */
function isDevelopmentBuild(): boolean {
  const assets = join(STUDIO_DIST, 'assets');
  return existsSync(assets) && readdirSync(assets).some((f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes('jsxDEV'));
}

/** Whether `studio/dist` is missing, older than the studio's sources, or a development build. */
export function studioNeedsBuild(): boolean {
  const index = join(STUDIO_DIST, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newest(join(STUDIO, 'src')), statSync(join(STUDIO, 'index.html')).mtimeMs, statSync(join(STUDIO, 'vite.config.ts')).mtimeMs);
  return built < sources || isDevelopmentBuild();
}

/** Builds the studio (Vite) when it is missing or stale, so `kiln up` and the tests serve what the sources say. */
export async function ensureStudioBuilt(log: (line: string) => void = () => {}): Promise<void> {
  if (!existsSync(STUDIO) || !studioNeedsBuild()) return;
  log('building the studio (once, and after changes)…');
  // Always a production build: under a test runner NODE_ENV is `test`, which would make Vite bundle
  // React's development build (several times slower).
  await promisify(execFile)('npm', ['run', 'build', '-w', '@kiln/studio'], {
    cwd: ROOT,
    maxBuffer: 32 * 1024 * 1024,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
