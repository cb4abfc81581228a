import { spawn } from 'node:child_process';

export interface ShellResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
}

export interface ShellOptions {
  signal: AbortSignal;
  /** The command's whole environment (nothing of the worker's is added). */
  env: Record<string, string>;
  cwd?: string;
  /** Run as this account (the worker must be root). */
  user?: { uid: number; gid: number };
  /** Limit of each process's address space (`ulimit -v`), in MB. */
  memoryMb?: number;
  stdoutTailBytes: number;
  stderrTailBytes?: number;
  /** Called with each complete stdout line. */
  onLine?: (line: string) => void;
  /** Called with every chunk of stdout and stderr as it arrives (the node's log). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Grace between SIGTERM and SIGKILL when aborted. */
  killGraceMs?: number;
}

/** The arguments of `sh` that run `command`, under an address-space limit when one is given. */
export function shellArgs(command: string, memoryMb?: number): string[] {
  if (memoryMb === undefined) return ['-c', command];
  // The limit is set in the shell that then becomes the command's shell, so it holds for everything
  // the command starts; the command is passed as an argument, never spliced into this script.
  return ['-c', `ulimit -v ${Math.floor(memoryMb) * 1024} || exit 125; exec sh -c "$1"`, 'sh', command];
}

/**
 * Runs `sh -c command` in a process group of its own, keeping the tails of stdout and stderr.
 * When `signal` aborts, the whole group gets SIGTERM, then SIGKILL; the promise rejects with the
 * abort reason once the group leader is gone.
 */
export function runShell(command: string, options: ShellOptions): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return reject(options.signal.reason);
    const child = spawn('sh', shellArgs(command, options.memoryMb), {
      cwd: options.cwd,
      env: options.env,
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new Tail(options.stdoutTailBytes);
    const stderr = new Tail(options.stderrTailBytes ?? 4096);
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      options.onOutput?.('stdout', chunk);
      if (!options.onLine) return;
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!.slice(-4096);
      for (const line of lines) if (line) options.onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      options.onOutput?.('stderr', chunk);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // Already gone.
      }
    };
    // A worker process that exits at once (a second Ctrl-C on `kiln run`) takes the command with it.
    const killOnExit = () => killGroup('SIGKILL');
    process.once('exit', killOnExit);
    const onAbort = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 5000);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      process.off('exit', killOnExit);
      options.signal.removeEventListener('abort', onAbort);
      reject(new Error(`could not start sh: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      process.off('exit', killOnExit);
      options.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      // Children that outlived the shell (background jobs) go with it.
      killGroup('SIGKILL');
      if (options.signal.aborted) return reject(options.signal.reason);
      resolve({ exitCode: code ?? 128, signal: sig, stdout: stdout.text(), stderrTail: stderr.text() });
    });
  });
}

/** Keeps the last `limit` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    // Cut at a character boundary: skip UTF-8 continuation bytes at the start.
    let start = Math.max(0, all.length - this.limit);
    while (start < all.length && (all[start]! & 0xc0) === 0x80) start++;
    return all.subarray(start).toString('utf8');
  }
}
