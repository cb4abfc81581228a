// GPU slots of this worker process: `KILN_GPU_SLOTS` (e.g. "0,1") lists device ids; each running
// train.command holds one, so two commands never share a device. Unset: no slot, nothing is set.

const busy = new Set<string>();
let waiters: (() => void)[] = [];

/** The device ids in `KILN_GPU_SLOTS`, or none. */
export function configuredGpuSlots(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KILN_GPU_SLOTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Takes a free slot, waiting for one when all are held (until `signal` aborts). Resolves to
 * undefined when no slots are configured; otherwise call `release` once the command has ended.
 */
export async function acquireGpuSlot(
  signal: AbortSignal,
  onWait?: () => void,
): Promise<{ slot: string; release: () => void } | undefined> {
  const slots = configuredGpuSlots();
  if (slots.length === 0) return undefined;
  for (let waited = false; ; waited = true) {
    if (signal.aborted) throw signal.reason;
    const free = slots.find((s) => !busy.has(s));
    if (free !== undefined) {
      busy.add(free);
      let released = false;
      return {
        slot: free,
        release: () => {
          if (released) return;
          released = true;
          busy.delete(free);
          const woken = waiters;
          waiters = [];
          for (const wake of woken) wake();
        },
      };
    }
    if (!waited) onWait?.();
    await new Promise<void>((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        waiters = waiters.filter((w) => w !== wake);
        resolve();
      };
      waiters.push(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}
