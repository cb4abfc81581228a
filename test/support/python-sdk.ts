import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';

const run = promisify(execFile);

export const REPO = resolve(import.meta.dirname, '../..');
export const SDK_DIR = join(REPO, 'sdk/python');
export const PYTHON_EXAMPLE_DIR = join(REPO, 'examples/python-nodes');

/**
 * The pinned requirements of the Python SDK with its `sklearn` and `test` extras, read from
 * sdk/python/pyproject.toml (the one place they are declared) by the system Python's tomllib.
 */
async function sdkRequirements(): Promise<string[]> {
  const script =
    'import json,sys,tomllib;p=tomllib.load(open(sys.argv[1],"rb"))["project"];' +
    'print(json.dumps(p["dependencies"]+p["optional-dependencies"]["sklearn"]+p["optional-dependencies"]["test"]))';
  const { stdout } = await run(process.env.PYTHON ?? 'python3', [
    '-c',
    script,
    join(SDK_DIR, 'pyproject.toml'),
  ]);
  return JSON.parse(stdout) as string[];
}

/**
 * The interpreter of the tools folder's `python-sdk-venv` (made on first use, then reused across runs),
 * holding the SDK's pinned dependencies. The SDK itself is taken from this checkout's sources
 * (`PYTHONPATH`, see {@link pythonEnv}), so every worktree tests its own code with the shared venv.
 */
export async function sdkPython(): Promise<string> {
  return venvPython(
    await ensurePythonVenv({
      name: 'python-sdk-venv',
      requirements: await sdkRequirements(),
      log: console.log,
    }),
  );
}

/** The environment a Python process of the SDK runs with: the SDK's sources and `paths` importable. */
export function pythonEnv(paths: string[], env: Record<string, string> = {}): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    PYTHONPATH: [join(SDK_DIR, 'src'), ...paths].join(delimiter),
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    ...env,
  };
}

/** A `python -m kiln worker` process. */
export interface PythonWorker {
  output(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts `python -m kiln worker <modules> --queue <queue>` and waits until it serves (or exits: the
 * promise then rejects with its output, unless `expectExit` is set, in which case it resolves once it
 * has exited).
 */
export async function startPythonWorker(options: {
  python: string;
  modules: string[];
  queue: string;
  paths: string[];
  env: Record<string, string>;
  args?: string[];
  expectExit?: boolean;
}): Promise<PythonWorker> {
  const child: ChildProcess = spawn(
    options.python,
    ['-m', 'kiln', 'worker', ...options.modules, '--queue', options.queue, ...(options.args ?? [])],
    {
      env: pythonEnv(options.paths, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code, signal) => {
      if (signal) output += `\n[the worker ended on ${signal}]`;
      r(code);
    }),
  );
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the Python worker did not start in 120 s: ${output}`)),
      120_000,
    );
    const check = () => {
      if (output.includes('kiln worker: serving')) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      if (options.expectExit) resolvePromise();
      else reject(new Error(`the Python worker exited with ${code}: ${output}`));
    });
  });
  return {
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
