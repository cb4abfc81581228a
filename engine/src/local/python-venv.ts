import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolsDir } from './kiln-home';

const run = promisify(execFile);

/** What {@link ensurePythonVenv} makes. */
export interface PythonVenvOptions {
  /** Folder name under the tools folder (`KILN_TOOLS_DIR`, default `.kiln/tools`), e.g. `ort-venv`. */
  name: string;
  /** pip requirements, pinned (`onnxruntime==1.32.0`). */
  requirements: readonly string[];
  /** Told what is being installed, when something is. */
  log?: (line: string) => void;
  /** The Python that creates the venv (default `PYTHON`, else `python3`). */
  python?: string;
}

/** Lists the requirements installed by {@link ensurePythonVenv}, one a line, inside the venv. */
const MARKER = 'kiln-requirements.txt';

/**
 * A virtualenv under the tools folder with the given pinned requirements, created with
 * `python3 -m venv` and filled from PyPI on first use; later calls that ask for nothing new return at
 * once. Concurrent callers (other processes included) wait on a lock. A venv may be shared by callers
 * with different requirements: each installs what is not there yet. Returns the venv's folder.
 */
export async function ensurePythonVenv(options: PythonVenvOptions): Promise<string> {
  const venv = join(toolsDir(), options.name);
  const missing = () => {
    const installed = installedRequirements(venv);
    return isExecutable(venvPython(venv)) ? options.requirements.filter((r) => !installed.has(r)) : [...options.requirements];
  };
  if (missing().length === 0 && isExecutable(venvPython(venv))) return venv;
  await withLock(join(toolsDir(), `${options.name}.lock`), async () => {
    const needed = missing();
    if (needed.length === 0 && isExecutable(venvPython(venv))) return;
    const python = options.python ?? process.env.PYTHON ?? 'python3';
    options.log?.(`installing ${needed.join(' ')} from PyPI into ${venv}`);
    try {
      if (!isExecutable(venvPython(venv))) await run(python, ['-m', 'venv', venv]);
      if (needed.length > 0) {
        await run(venvPython(venv), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...needed], {
          maxBuffer: 16 * 1024 * 1024,
        });
      }
    } catch (err) {
      throw new Error(
        `could not install ${needed.join(' ')} with ${python} -m venv + pip into ${venv}: ${(err as Error).message.trim()}`,
      );
    }
    const installed = installedRequirements(venv);
    for (const r of needed) installed.add(r);
    writeFileSync(join(venv, MARKER), [...installed].sort().join('\n') + '\n');
  });
  return venv;
}

/** The Python interpreter of a venv folder. */
export function venvPython(venv: string): string {
  return join(venv, 'bin', 'python');
}

function installedRequirements(venv: string): Set<string> {
  try {
    return new Set(readFileSync(join(venv, MARKER), 'utf8').split('\n').filter(Boolean));
  } catch {
    return new Set();
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A cross-process lock: a directory that only one process can create. Stale after 10 minutes. */
export async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
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
    return await fn();
  } finally {
    rmdirSync(path);
  }
}
