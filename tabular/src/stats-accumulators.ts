import type { Data } from 'apache-arrow';
import type { BoolStats, CategoricalStats, ColumnStats, DateStats, NumericStats } from './stats-types';
import { DistinctCounter } from './distinct-counter';

/** Statistics of one column, fed batch by batch. */
export interface Accumulator {
  add(data: Data): void;
  finish(): ColumnStats;
}

/**
 * The validity bitmap of `data` and its bit offset, or null when every row is valid. Accumulators
 * test bits inline (`(bits[(offset + i) >> 3] >> ((offset + i) & 7)) & 1`): no call per row.
 */
function validityBits(data: Data): { bits: Uint8Array; offset: number } | null {
  const bits = data.nullBitmap;
  if (data.nullCount === 0 || !bits || bits.byteLength === 0) return null;
  return { bits, offset: data.offset };
}

export class NumericAccumulator implements Accumulator {
  count = 0;
  private nulls = 0;
  private min = Infinity;
  private max = -Infinity;
  private mean = 0;
  private m2 = 0;
  private readonly counts: Float64Array;

  constructor(
    private readonly name: string,
    readonly type: 'int' | 'float',
    private readonly bins: number,
  ) {
    this.counts = new Float64Array(bins);
  }

  add(data: Data): void {
    const values = data.values as Float64Array | Int32Array;
    const validity = validityBits(data);
    const bits = validity?.bits;
    const offset = validity?.offset ?? 0;
    // Two passes over the batch (sum, then squared deviations from the batch mean), merged into the
    // running moments with Chan et al.'s formula: as stable as Welford, without a division per value.
    let n = 0;
    let sum = 0;
    let { min, max } = this;
    if (bits === undefined) {
      // No nulls (most columns): the same sums without a validity test per value.
      n = data.length;
      const range = { min, max };
      sum = denseSum(values, n, range);
      ({ min, max } = range);
    } else {
      for (let i = 0; i < data.length; i++) {
        if (((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 0) continue;
        const x = values[i]!;
        n++;
        sum += x;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
    this.nulls += data.nullCount;
    this.min = min;
    this.max = max;
    if (n === 0) return;
    let batchMean = sum / n;
    if (!Number.isFinite(batchMean)) {
      // The sum overflowed: average the values scaled down instead.
      let scaled = 0;
      for (let i = 0; i < data.length; i++) {
        if (bits !== undefined && ((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 0) continue;
        scaled += values[i]! / n;
      }
      batchMean = scaled;
    }
    let batchM2 = 0;
    if (bits === undefined) batchM2 = denseSquaredDeviations(values, n, batchMean);
    else {
      for (let i = 0; i < data.length; i++) {
        if (((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 0) continue;
        const d = values[i]! - batchMean;
        batchM2 += d * d;
      }
    }
    const count = this.count + n;
    const delta = batchMean - this.mean;
    this.mean = this.count === 0 ? batchMean : this.mean + delta * (n / count);
    this.m2 = this.count === 0 ? batchM2 : this.m2 + batchM2 + delta * delta * ((this.count * n) / count);
    this.count = count;
  }

  /** The bins' range (once every batch went through {@link add}): what another thread counts with. */
  histogramRange(): HistogramRange {
    return { min: this.min, max: this.max, bins: this.binCount() };
  }

  /** Adds counts made with {@link countIntoHistogram} and {@link histogramRange} (on any thread). */
  addHistogramCounts(counts: ArrayLike<number>): void {
    for (let k = 0; k < counts.length; k++) this.counts[k]! += counts[k]!;
  }

  finish(): NumericStats {
    const empty = this.count === 0;
    const bins = this.binCount();
    const edges = Array.from({ length: bins + 1 }, (_, k) =>
      k === bins ? this.max : this.min * (1 - k / bins) + this.max * (k / bins),
    );
    return {
      name: this.name,
      type: this.type,
      kind: 'numeric',
      count: this.count,
      nullCount: this.nulls,
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      mean: empty ? null : finiteOrNull(this.mean),
      std: this.count < 2 ? null : finiteOrNull(Math.sqrt(this.m2 / (this.count - 1))),
      histogram: empty ? null : { edges, counts: Array.from(this.counts.subarray(0, bins)) },
    };
  }

  /** One bin when every value is the same. */
  private binCount(): number {
    return this.min === this.max ? 1 : this.bins;
  }
}

export class CategoricalAccumulator implements Accumulator {
  private count = 0;
  private nulls = 0;
  private readonly distinct: DistinctCounter;

  constructor(
    private readonly name: string,
    private readonly maxDistinct: number,
    private readonly topValues: number,
  ) {
    this.distinct = new DistinctCounter(maxDistinct);
  }

  add(data: Data): void {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const validity = validityBits(data);
    const bits = validity?.bits;
    const offset = validity?.offset ?? 0;
    this.distinct.addColumn(bytes, offsets, bits ?? null, offset, data.length);
    this.count += data.length - data.nullCount;
    this.nulls += data.nullCount;
  }

  finish(): CategoricalStats {
    const { truncated, size } = this.distinct;
    return {
      name: this.name,
      type: 'string',
      kind: 'categorical',
      count: this.count,
      nullCount: this.nulls,
      distinctCount: truncated ? `>${size}` : size,
      topValues: this.distinct.top(this.topValues),
      topValuesExact: !truncated,
    };
  }
}

export class BoolAccumulator implements Accumulator {
  private trues = 0;
  private falses = 0;
  private nulls = 0;

  constructor(private readonly name: string) {}

  add(data: Data): void {
    const values = data.values as Uint8Array;
    const validity = validityBits(data);
    const bits = validity?.bits;
    const offset = validity?.offset ?? 0;
    for (let i = 0; i < data.length; i++) {
      if (bits !== undefined && ((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 0) continue;
      const bit = data.offset + i;
      if ((values[bit >> 3]! >> (bit & 7)) & 1) this.trues++;
      else this.falses++;
    }
    this.nulls += data.nullCount;
  }

  finish(): BoolStats {
    const count = this.trues + this.falses;
    return {
      name: this.name,
      type: 'bool',
      kind: 'bool',
      count,
      nullCount: this.nulls,
      trueCount: this.trues,
      falseCount: this.falses,
    };
  }
}

export class DateAccumulator implements Accumulator {
  private count = 0;
  private nulls = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(private readonly name: string) {}

  add(data: Data): void {
    const values = data.values as BigInt64Array;
    const validity = validityBits(data);
    const bits = validity?.bits;
    const offset = validity?.offset ?? 0;
    for (let i = 0; i < data.length; i++) {
      if (bits !== undefined && ((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 0) continue;
      const x = Number(values[i]!);
      this.count++;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
    }
    this.nulls += data.nullCount;
  }

  finish(): DateStats {
    const empty = this.count === 0;
    return {
      name: this.name,
      type: 'date',
      kind: 'date',
      count: this.count,
      nullCount: this.nulls,
      min: empty ? null : new Date(this.min).toISOString(),
      max: empty ? null : new Date(this.max).toISOString(),
    };
  }
}

/** The histogram's bins: `bins` equal widths from `min` to `max`. */
export interface HistogramRange {
  min: number;
  max: number;
  bins: number;
}

/**
 * Counts `values` (of `length` rows; `validity` with bit `i` set for a non-null row, null: none) into
 * `counts`, bins of `range`. Counts are whole numbers, so shares counted apart add up to the same.
 */
export function countIntoHistogram(
  counts: Float64Array,
  range: HistogramRange,
  values: Float64Array | Int32Array,
  validity: Uint8Array | null,
  length: number,
): void {
  const { min, max, bins } = range;
  const last = bins - 1;
  // Halves keep `max - min` finite for any finite min and max.
  const halfMin = min / 2;
  const halfRange = max / 2 - halfMin;
  if (halfRange === 0) {
    counts[0]! += validity === null ? length : countBits(validity, length);
    return;
  }
  if (validity === null) {
    // No nulls: the same counting without a validity test per value.
    for (let i = 0; i < length; i++) {
      const bin = Math.floor(((values[i]! / 2 - halfMin) / halfRange) * bins);
      counts[bin > last ? last : bin < 0 ? 0 : bin]!++;
    }
    return;
  }
  for (let i = 0; i < length; i++) {
    if (((validity[i >> 3]! >> (i & 7)) & 1) === 0) continue;
    const bin = Math.floor(((values[i]! / 2 - halfMin) / halfRange) * bins);
    counts[bin > last ? last : bin < 0 ? 0 : bin]!++;
  }
}

/*
 * The no-null moment loops keep four running sums, so that each addition need not wait for the one
 * before it: three to four times faster than one sum (the order of additions differs, not the method).
 */

/** Sum of `values[0, n)`; lowers `range.min` and raises `range.max` to theirs. */
function denseSum(values: Float64Array | Int32Array, n: number, range: { min: number; max: number }): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let { min, max } = range;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = values[i]!;
    const b = values[i + 1]!;
    const c = values[i + 2]!;
    const d = values[i + 3]!;
    s0 += a;
    s1 += b;
    s2 += c;
    s3 += d;
    // Comparisons rather than Math.min/max, which would let a NaN through.
    if (a < min) min = a;
    if (a > max) max = a;
    if (b < min) min = b;
    if (b > max) max = b;
    if (c < min) min = c;
    if (c > max) max = c;
    if (d < min) min = d;
    if (d > max) max = d;
  }
  for (; i < n; i++) {
    const x = values[i]!;
    s0 += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  range.min = min;
  range.max = max;
  return s0 + s1 + s2 + s3;
}

/** Sum of `(values[i] - mean)²` over `[0, n)`. */
function denseSquaredDeviations(values: Float64Array | Int32Array, n: number, mean: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = values[i]! - mean;
    const b = values[i + 1]! - mean;
    const c = values[i + 2]! - mean;
    const d = values[i + 3]! - mean;
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
  }
  for (; i < n; i++) {
    const d = values[i]! - mean;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

/** Set bits among the first `length`. */
function countBits(bits: Uint8Array, length: number): number {
  let count = 0;
  for (let i = 0; i < length; i++) count += (bits[i >> 3]! >> (i & 7)) & 1;
  return count;
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
