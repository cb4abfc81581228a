import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const KILN_BIN = require.resolve('@kiln/cli/bin/kiln.js');

/** A `kiln worker` in a process of its own, ready once it says it is serving; `env` adds to ours. */
export async function startWorkerProcess(
  address: string,
  queues = 'cpu,gpu',
  options: { env?: Record<string, string>; args?: string[] } = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [KILN_BIN, 'worker', '--queues', queues, '--temporal-address', address, ...(options.args ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kiln worker did not start: ${stderr}`)), 240_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('kiln worker: serving')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kiln worker exited with ${code}: ${stderr}`));
    });
  });
  return child;
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
