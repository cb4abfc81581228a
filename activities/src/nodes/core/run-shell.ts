import { spawn } from 'node:child_process';

export interface ShellResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
}

export interface ShellOptions {
  signal: AbortSignal;
  env?: Record<string, string>;
  cwd?: string;
  stdoutTailBytes: number;
  stderrTailBytes?: number;
  /** Called with each complete stdout line. */
  onLine?: (line: string) => void;
  /** Grace between SIGTERM and SIGKILL when aborted. */
  killGraceMs?: number;
}

/**
 * Runs `sh -c command` in a process group of its own, keeping the tails of stdout and stderr.
 * When `signal` aborts, the whole group gets SIGTERM, then SIGKILL; the promise rejects with the
 * abort reason once the group leader is gone.
 */
export function runShell(command: string, options: ShellOptions): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return reject(options.signal.reason);
    const child = spawn('sh', ['-c', command], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new Tail(options.stdoutTailBytes);
    const stderr = new Tail(options.stderrTailBytes ?? 4096);
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (!options.onLine) return;
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!.slice(-4096);
      for (const line of lines) if (line) options.onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // Already gone.
      }
    };
    const onAbort = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 5000);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      options.signal.removeEventListener('abort', onAbort);
      reject(new Error(`could not start sh: ${err.message}`));
    });
    child.on('close', (code, sig) => {
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
