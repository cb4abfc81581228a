import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const KILN_BIN = require.resolve('@kiln/cli/bin/kiln.js');

/** A `kiln worker` in a process of its own, ready once it says it is serving. */
export async function startWorkerProcess(
  address: string,
  queues = 'cpu,gpu',
  options: {
    /** Added to this process's environment (`null` removes a variable). */
    env?: Record<string, string | null>;
    /** Extra arguments of `kiln worker`. */
    args?: string[];
    /** Receives everything the worker writes to stderr, after it started too. */
    onStderr?: (text: string) => void;
    /** The folder it starts in (where it looks for a kiln.config.ts). */
    cwd?: string;
  } = {},
): Promise<ChildProcess> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  const child = spawn(process.execPath, [KILN_BIN, 'worker', '--queues', queues, '--temporal-address', address, ...(options.args ?? [])], {
    env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => options.onStderr?.(chunk.toString()));
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
