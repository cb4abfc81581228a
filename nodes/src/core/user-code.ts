import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeContext } from '../define-node';
import { type ShellResult, runShell } from './run-shell';

/** The worker's variables user code sees: the search path and locale, nothing else. */
const INHERITED = /^(PATH|LANG|LANGUAGE|TZ|LC_[A-Z_]+)$/;

/** Where user code finds programs when the worker has no PATH. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The environment user code starts from: PATH and locale from the worker, HOME, and the run
 * variables (KILN_RUN_ID, KILN_NODE_ID, KILN_ATTEMPT, KILN_TASK_QUEUE); when the node holds cores
 * (`resources.cpu`), KILN_CPUS and the thread counts numeric libraries read (OMP_NUM_THREADS…), so
 * the program uses what it holds (its own `env` may still say otherwise). Tokens, DATABASE_URL, S3
 * keys and every other variable of the worker stay out.
 */
export function userCodeEnv(
  ctx: NodeContext,
  home: string,
  worker: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(worker))
    if (value !== undefined && INHERITED.test(name)) env[name] = value;
  env.PATH ??= DEFAULT_PATH;
  return {
    ...env,
    HOME: home,
    KILN_RUN_ID: ctx.runId,
    KILN_NODE_ID: ctx.nodeId,
    KILN_ATTEMPT: String(ctx.attempt),
    KILN_TASK_QUEUE: ctx.queue,
    ...threadVariables(ctx.cpus),
  };
}

/** What tells OpenMP, BLAS and friends how many threads to start: the cores held, at least one. */
function threadVariables(cpus: number | undefined): Record<string, string> {
  if (cpus === undefined) return {};
  const threads = String(Math.max(1, Math.floor(cpus)));
  return { KILN_CPUS: String(cpus), OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
}

/**
 * Prepares folders for user code that runs as another account: `writable` ones become its own,
 * `passable` ones (their parents) stay the worker's but may be passed through (mode 711), so the code
 * cannot swap a folder the worker reads its outputs from for a link elsewhere.
 */
export async function handToUserCode(
  ctx: NodeContext,
  folders: { writable?: string[]; passable?: string[] },
): Promise<void> {
  const user = ctx.userCode.runAs;
  if (!user) return;
  for (const path of folders.passable ?? []) await chmod(path, 0o711);
  for (const path of folders.writable ?? []) await chown(path, user.uid, user.gid);
}

export interface UserCodeOptions {
  /** The node's own `env` param. */
  env?: Record<string, string>;
  /** Variables of the node's contract with the program (they win over `env`). */
  contract?: Record<string, string>;
  cwd?: string;
  stdoutTailBytes: number;
  onLine?: (line: string) => void;
}

/**
 * Runs a command the pipeline author wrote, confined as this worker says (`ctx.userCode`): a clean
 * environment, the unprivileged account when the worker is root (HOME is then a folder of the
 * attempt's own), and the memory limit. The node's timeout and cancellation kill its process group.
 * Its stdout and stderr go to the attempt's log (`ctx.log`) as they arrive.
 */
export async function runUserCode(
  ctx: NodeContext,
  command: string,
  options: UserCodeOptions,
): Promise<ShellResult> {
  const { runAs, memoryMb } = ctx.userCode;
  let home = process.env.HOME ?? '/';
  if (runAs) {
    const scratch = await ctx.scratchDir();
    home = join(scratch, 'home');
    await mkdir(home, { recursive: true });
    await handToUserCode(ctx, { passable: [scratch], writable: [home] });
  }
  return runShell(command, {
    signal: ctx.signal,
    env: { ...userCodeEnv(ctx, home), ...options.env, ...options.contract },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(runAs ? { user: runAs } : {}),
    ...(memoryMb !== undefined ? { memoryMb } : {}),
    stdoutTailBytes: options.stdoutTailBytes,
    ...(options.onLine ? { onLine: options.onLine } : {}),
    onOutput: (stream, chunk) => ctx.log.output(stream, chunk),
  });
}
