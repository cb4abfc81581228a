// Numeric helpers that reproduce numpy's float64 results, so metrics match scikit-learn to the last bits
// wherever the arithmetic allows (numpy sums with pairwise summation, not left to right).

/** Sums `values[start..end)` the way numpy's `add.reduce` does on a contiguous float64 array (pairwise, blocks of 8). */
export function pairwiseSum(values: ArrayLike<number>, start = 0, end = values.length): number {
  const n = end - start;
  if (n < 8) {
    let res = 0;
    for (let i = start; i < end; i++) res += values[i]!;
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = values[start + j]!;
    let i = 8;
    const stop = n - (n % 8);
    for (; i < stop; i += 8) {
      for (let j = 0; j < 8; j++) r[j] = r[j]! + values[start + i + j]!;
    }
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += values[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, start, start + n2) + pairwiseSum(values, start + n2, end);
}

/** Arithmetic mean as `numpy.mean` computes it (pairwise sum divided by the count); NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  return values.length === 0 ? Number.NaN : pairwiseSum(values) / values.length;
}

/** Population standard deviation (`numpy.std`, ddof=0). */
export function std(values: ArrayLike<number>): number {
  const m = mean(values);
  const sq = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(values[i]! - m);
    sq[i] = d * d;
  }
  return Math.sqrt(mean(sq));
}

/** Percentile `q` (0–100) of already ascending-sorted values, with numpy's default 'linear' method. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const virtual = (n - 1) * (q / 100);
  const prev = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
  const next = Math.min(prev + 1, n - 1);
  const gamma = virtual - Math.floor(virtual);
  const a = sorted[prev]!;
  const b = sorted[next]!;
  const diff = b - a;
  // numpy's _lerp: a + diff*t, but b - diff*(1-t) when t >= 0.5 (keeps the result monotone).
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}
