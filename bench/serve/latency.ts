// Latency percentiles kept on a dense grid, so that the rounds of a cell can be pooled: the p99 of
// every request a target answered over all rounds, rather than the p99 of one round. On a shared
// 2-core VM, bursts of noise land in one round or another; pooled, every target meets the same mix.

/** The percentiles kept: every 0.5 up to 95, every 0.1 up to 99, every 0.01 up to 99.99, then the max. */
export const GRID: readonly number[] = (() => {
  const out: number[] = [];
  for (let i = 1; i <= 190; i++) out.push(i / 2);
  for (let i = 951; i <= 990; i++) out.push(i / 10);
  for (let i = 9901; i <= 9999; i++) out.push(i / 100);
  out.push(100);
  return out;
})();

/** One run's latencies: how many requests, and the latency (ms) at each GRID percentile. */
export interface Quantiles {
  count: number;
  at: number[];
}

/** The GRID percentiles of latencies (ms), sorted ascending here. */
export function quantilesOf(latencies: number[]): Quantiles {
  latencies.sort((a, b) => a - b);
  return quantilesOfHistogram(latencies.map((ms) => [ms, 1] as const));
}

/**
 * The GRID percentiles of a histogram: [latency (ms), how many requests took it], ascending by latency.
 * The q-th percentile is the smallest latency at or below which at least q% of the requests fall.
 */
export function quantilesOfHistogram(histogram: readonly (readonly [ms: number, count: number])[]): Quantiles {
  const n = histogram.reduce((s, [, count]) => s + count, 0);
  const at: number[] = [];
  let i = 0;
  let below = histogram[0]?.[1] ?? 0;
  for (const q of GRID) {
    const rank = Math.max(1, Math.ceil((q / 100) * n));
    while (below < rank && i < histogram.length - 1) below += histogram[++i]![1];
    at.push(n === 0 ? NaN : histogram[i]![0]);
  }
  return { count: n, at };
}

/** The latency (ms) at a GRID percentile (50, 99, …). */
export function percentile(q: Quantiles, p: number): number {
  const k = GRID.indexOf(p);
  if (k < 0) throw new RangeError(`percentile ${p} is not on the grid`);
  return q.at[k]!;
}

/** Several runs' requests as one run. */
export function pooled(runs: readonly Quantiles[]): Quantiles {
  return { count: runs.reduce((s, r) => s + r.count, 0), at: GRID.map((q) => pooledPercentile(runs, q)) };
}

/**
 * The q-th percentile (0 < q ≤ 100) of all runs' requests together. A run's share at or below x is
 * read off its grid (the largest GRID percentile whose latency is ≤ x), so the answer errs high by at
 * most one grid step.
 */
export function pooledPercentile(runs: readonly Quantiles[], q: number): number {
  const total = runs.reduce((s, r) => s + r.count, 0);
  if (total === 0) return NaN;
  const candidates = [...new Set(runs.flatMap((r) => r.at))].filter(Number.isFinite).sort((a, b) => a - b);
  const share = (x: number) => {
    let below = 0;
    for (const r of runs) {
      let k = -1;
      let lo = 0;
      let hi = r.at.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (r.at[mid]! <= x) {
          k = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (k >= 0) below += (r.count * GRID[k]!) / 100;
    }
    return below / total;
  };
  let lo = 0;
  let hi = candidates.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (share(candidates[mid]!) >= q / 100 - 1e-12) hi = mid;
    else lo = mid + 1;
  }
  return candidates[lo]!;
}
