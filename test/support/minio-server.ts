import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { freePort, REPO_ROOT } from '@kiln/engine/temporal';
import { tempDir } from './harness';

/** A MinIO server on a free loopback port, with its data in a temp folder. */
export interface MinioServer {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

/** `MINIO_BIN`, `minio` on PATH, or `.kiln/tools/bin/minio` (which `.ci/run` builds from the Go module proxy). */
export function findMinio(): string {
  const candidates = [
    process.env.MINIO_BIN,
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'minio')),
    join(REPO_ROOT, '.kiln', 'tools', 'bin', 'minio'),
  ].filter(Boolean) as string[];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // Next.
    }
  }
  throw new Error(
    'MinIO not found: set MINIO_BIN, or build it with `GOBIN=$PWD/.kiln/tools/bin go install github.com/minio/minio@<version in .ci/run>`',
  );
}

export async function startMinio(): Promise<MinioServer> {
  const bin = findMinio();
  const port = await freePort();
  const consolePort = await freePort();
  const accessKey = 'kilnminio';
  const secretKey = 'kilnminio-secret';
  const data = tempDir('kiln-minio-');
  const child: ChildProcess = spawn(bin, ['server', data, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'], {
    env: { ...process.env, MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey, MINIO_BROWSER: 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`minio exited at start: ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/minio/health/live`)).ok) break;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`minio did not answer on ${endpoint}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    accessKey,
    secretKey,
    /** Stops the server and removes its data (about 160 MB a start). */
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(data, { recursive: true, force: true });
    },
  };
}
