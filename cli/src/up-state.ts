// Where a running `kiln up` is: one file under KILN_HOME that is both its lock (created exclusively,
// holding its pid) and, once it is up, the addresses other commands use (`kiln run` its Temporal;
// `kiln apply`, `approve`, `logs` its API). Loads only zod and node built-ins.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { kilnHome } from '@kiln/engine/home';

export const UP_STATE_FILE = 'kiln-up.json';

export const upStateSchema = z.object({
  pid: z.number().int().positive(),
  /** The process's start time (Linux `/proc/<pid>/stat`), so a pid reused by another process is not taken for it. */
  pidStart: z.string().optional(),
  startedAt: z.string(),
  /** Set once everything is up. */
  temporal: z.object({ address: z.string(), namespace: z.string(), uiUrl: z.string().optional() }).optional(),
  apiUrl: z.string().optional(),
});
export type UpState = z.infer<typeof upStateSchema>;

export const upStatePath = (home = kilnHome()) => join(home, UP_STATE_FILE);

/** The `kiln up` of this KILN_HOME while its process lives (starting or up); undefined when none runs. */
export function readUpState(home = kilnHome()): UpState | undefined {
  const state = readFile(upStatePath(home));
  return state && isAlive(state) ? state : undefined;
}

/** Waits (while it is starting) for the running `kiln up` to publish its addresses. */
export async function waitForUp(home = kilnHome(), timeoutMs = 120_000): Promise<UpState | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = readUpState(home);
    if (!state || (state.temporal && state.apiUrl)) return state;
    if (Date.now() > deadline) throw new Error(`kiln up (pid ${state.pid}) has been starting for ${timeoutMs / 1000} s; is it stuck?`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What `kiln up` holds while it runs. */
export interface UpClaim {
  /** Writes the addresses (atomically: other readers see the old or the new file, never half). */
  publish(state: Required<Pick<UpState, 'temporal' | 'apiUrl'>>): void;
  /** Removes the file, if it is still ours. */
  release(): void;
}

/**
 * Takes this KILN_HOME for a `kiln up`: creates the state file exclusively. When a live `kiln up`
 * holds it, returns that one's state instead; a file left by a dead process is replaced.
 */
export async function claimUp(home = kilnHome()): Promise<{ claim: UpClaim } | { running: UpState }> {
  const path = upStatePath(home);
  const mine: UpState = { pid: process.pid, ...pidStartOf(process.pid), startedAt: new Date().toISOString() };
  for (let tries = 0; ; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 20) throw err;
      const held = readFile(path);
      if (held && isAlive(held)) return { running: held };
      // Unreadable: another `kiln up` may be writing it this instant; give it a moment before taking it.
      if (!held && tries < 4) await new Promise((r) => setTimeout(r, 50));
      else rmIfSame(path, held);
    }
  }
  const ours = () => readFile(path)?.pid === process.pid;
  return {
    claim: {
      publish(addresses) {
        const tmp = `${path}.${process.pid}.tmp`;
        const fd = openSync(tmp, 'w', 0o600);
        writeSync(fd, JSON.stringify({ ...mine, ...addresses }));
        closeSync(fd);
        renameSync(tmp, path);
      },
      release() {
        if (ours()) rmIfSame(path, readFile(path));
      },
    },
  };
}

function readFile(path: string): UpState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = upStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function rmIfSame(path: string, seen: UpState | undefined): void {
  const now = readFile(path);
  if (now?.pid !== seen?.pid) return;
  try {
    unlinkSync(path);
  } catch {
    // Gone already.
  }
}

function isAlive(state: UpState): boolean {
  try {
    process.kill(state.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = pidStartOf(state.pid).pidStart;
  return !state.pidStart || !now || now === state.pidStart;
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), where there is a /proc. */
function pidStartOf(pid: number): { pidStart?: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start ? { pidStart: start } : {};
  } catch {
    return {};
  }
}
