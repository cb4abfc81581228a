import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { inject } from 'vitest';
import { freePort } from '@kiln/engine/free-port';
import { tempDir } from './harness';

/** A MinIO server on a free loopback port, with its data in a temp folder. */
export interface MinioServer {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

/**
 * The MinIO the suite's global setup found or built (`prepareMinio`); when it could not, its one-line
 * reason (e.g. no Go, and the command to run) fails the tests that need MinIO.
 */
export function findMinio(): string {
  const found = inject('minio');
  if ('error' in found) throw new Error(found.error);
  return found.path;
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
