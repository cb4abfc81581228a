/** A small seeded generator (mulberry32): same seed, same draws, on every platform. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * `k` distinct indices out of `0..n-1`, in increasing order (Floyd's / selection sampling).
 * Sequential selection keeps the result sorted, which keeps later memory access sequential.
 */
export function sampleSorted(rng: Rng, n: number, k: number, out?: Uint32Array): Uint32Array {
  const result = out && out.length >= k ? out.subarray(0, k) : new Uint32Array(k);
  let needed = k;
  let filled = 0;
  for (let i = 0; i < n && needed > 0; i++) {
    if (rng.next() * (n - i) < needed) {
      result[filled++] = i;
      needed--;
    }
  }
  return result;
}
