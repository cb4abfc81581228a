import { availableParallelism } from 'node:os';

/** Feature values (rows × features) below which one thread trains faster than several (thread start-up and syncs cost more). */
export const MIN_VALUES_PER_EXTRA_THREAD = 1_000_000;
/** The most threads training uses unless asked for more. */
export const MAX_AUTO_THREADS = 8;

/**
 * Threads for histogram building: as asked (`requested` > 0), else one for small data, else the CPU
 * count up to `maxThreads` (default {@link MAX_AUTO_THREADS}; a worker passes the cores it holds).
 */
export function trainingThreads(requested: number, featureValues: number, maxThreads = MAX_AUTO_THREADS): number {
  if (requested > 0) return requested;
  if (featureValues < MIN_VALUES_PER_EXTRA_THREAD) return 1;
  return Math.max(1, Math.min(Math.floor(maxThreads), availableParallelism()));
}
