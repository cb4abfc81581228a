import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, isExecutable, toolsDir, withLock } from '@kiln/engine/temporal';

const run = promisify(execFile);

/** Helm, pinned: from the Go module proxy, like MinIO (`.ci/run` prebuilds it). */
export const HELM_VERSION = 'v4.3.2';

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

/** `HELM_BIN`, or Helm built from `helm.sh/helm/v4` at {@link HELM_VERSION} into `.kiln/tools/bin/helm-<version>`. */
export async function ensureHelm(): Promise<string> {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const target = join(toolsDir(), 'bin', `helm-${HELM_VERSION}`);
  return goBuildOnce(target, async (out) => {
    await run('go', ['install', `helm.sh/helm/v4/cmd/helm@${HELM_VERSION}`], {
      env: { ...process.env, GOBIN: out, GOFLAGS: '-buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
  });
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
