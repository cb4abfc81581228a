import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const KILN_BIN = require.resolve('@kiln/cli/bin/kiln.js');

export interface KilnResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `kiln` command as a user would; `onStdout` sees stdout so far and may signal the process. */
export function kiln(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    onStdout?: (text: string, kill: (s: NodeJS.Signals) => void, pid: number) => void;
  } = {},
): Promise<KilnResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KILN_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      options.onStdout?.(stdout, (s) => child.kill(s), child.pid!);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The pids whose parent is `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
