import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, toolsDir } from '@kiln/engine/home';
import { isExecutable, withLock } from '@kiln/engine/python-venv';

const run = promisify(execFile);

/** Builds the pinned Go tools (versions and locks in one place, shared with `.ci/run`). */
const GO_TOOLS_SCRIPT = join(REPO_ROOT, 'scripts/go-tools.sh');

/**
 * The path of a pinned Go tool (`minio`, `helm`), built from the Go module proxy into the tools
 * folder's bin/ the first time (minutes), under a lock. Without Go, the error is one line that names
 * what to install and the command to run.
 */
export async function ensureGoTool(name: 'minio' | 'helm'): Promise<string> {
  try {
    const { stdout } = await run(GO_TOOLS_SCRIPT, [name], {
      env: { ...process.env, KILN_TOOLS_DIR: toolsDir() },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const said = e.stderr?.trim().split('\n').at(-1);
    throw new Error(said || e.message);
  }
}

/** Builds a Go program into the tools folder's bin/ once, under a cross-process lock. */
async function goBuildOnce(target: string, build: (outDir: string) => Promise<void>): Promise<string> {
  if (isExecutable(target)) return target;
  const bin = join(toolsDir(), 'bin');
  await withLock(`${target}.lock`, async () => {
    if (isExecutable(target)) return;
    const tmp = mkdtempSync(join(bin, '.build-'));
    try {
      await build(tmp);
      const [built] = readdirSync(tmp);
      renameSync(join(tmp, built!), target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
  return target;
}

/**
 * For the global setup: `MINIO_BIN`, `minio` on PATH, or MinIO at the pinned version, built when
 * missing (minutes, once per tools folder); or why it could not be had.
 */
export async function prepareMinio(): Promise<{ path: string } | { error: string }> {
  const given = [process.env.MINIO_BIN, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'minio'))];
  const found = given.find((c) => c && isExecutable(c));
  if (found) return { path: found };
  try {
    return { path: await ensureGoTool('minio') };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** `HELM_BIN`, or Helm at the pinned version (scripts/go-tools.sh). */
export async function ensureHelm(): Promise<string> {
  return process.env.HELM_BIN ?? ensureGoTool('helm');
}

const MANIFEST_CHECK = join(REPO_ROOT, 'deploy/tools/manifest-check');

/** deploy/tools/manifest-check, built once per version of its source (`manifest-check-<hash>`). */
export async function ensureManifestCheck(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of readdirSync(MANIFEST_CHECK)
    .filter((f) => /\.go$|^go\.(mod|sum)$/.test(f))
    .sort()) {
    hash.update(f).update(readFileSync(join(MANIFEST_CHECK, f)));
  }
  const target = join(toolsDir(), 'bin', `manifest-check-${hash.digest('hex').slice(0, 12)}`);
  return goBuildOnce(target, async (out) => {
    await run('go', ['build', '-o', join(out, 'manifest-check'), '.'], {
      cwd: MANIFEST_CHECK,
      env: { ...process.env, GOFLAGS: '-buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
  });
}
