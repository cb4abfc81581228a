// Latencies as histograms at microsecond resolution (wrk's), so that the rounds of a cell pool
// exactly: the p99 of every request a target answered over all rounds, rather than the p99 of one
// round. On a shared 2-core VM, bursts of noise land in one round or another; pooled, every target
// meets the same mix.

/** [latency (µs), how many requests took it], ascending by latency. */
export type Histogram = [us: number, count: number][];

/** The histogram of latencies given in ms (rounded to the µs). */
export function histogramOf(latenciesMs: readonly number[]): Histogram {
  return counted(latenciesMs.map((ms) => [Math.round(ms * 1000), 1] as const));
}

/** Several runs' requests as one histogram. */
export function merged(runs: readonly Histogram[]): Histogram {
  return counted(runs.flat());
}

/** [µs, count] entries, in any order and repeating latencies, as a histogram. */
function counted(entries: readonly (readonly [us: number, count: number])[]): Histogram {
  const counts = new Map<number, number>();
  for (const [us, count] of entries) counts.set(us, (counts.get(us) ?? 0) + count);
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/** How many requests a histogram holds. */
export function requests(h: Histogram): number {
  return h.reduce((s, [, count]) => s + count, 0);
}

/**
 * The q-th percentile (0 < q ≤ 100) in ms: the smallest latency at or below which at least q% of the
 * requests fall (NaN for no requests).
 */
export function percentile(h: Histogram, q: number): number {
  const rank = Math.max(1, Math.ceil((q / 100) * requests(h)));
  let below = 0;
  for (const [us, count] of h) {
    below += count;
    if (below >= rank) return us / 1000;
  }
  return NaN;
}
