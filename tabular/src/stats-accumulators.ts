import type { Data } from 'apache-arrow';
import type { BoolStats, CategoricalStats, ColumnStats, DateStats, NumericStats } from './stats-types';
import { DistinctCounter } from './distinct-counter';
import type { BatchMoments, HistogramRange } from './numeric-batch';
import { numericKernel } from './numeric-kernel';

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

/**
 * A numeric column's statistics: count, nulls, minimum and maximum from the first pass ({@link add});
 * moments and histogram from the second ({@link addMoments}, {@link addHistogramCounts}), which needs
 * the range and may run on other threads (see histogram-pass.ts).
 */
export class NumericAccumulator implements Accumulator {
  count = 0;
  private nulls = 0;
  private min = Infinity;
  private max = -Infinity;
  /** Values merged into the moments so far. */
  private merged = 0;
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
    if (validity === null) {
      const kernel = numericKernel();
      kernel.load(values, data.length, 0);
      const range = { min: this.min, max: this.max };
      kernel.range(values instanceof Int32Array, data.length, range);
      this.min = range.min;
      this.max = range.max;
    } else {
      let { min, max } = this;
      // Comparisons rather than Math.min/max, which would let a NaN through.
      const { bits, offset } = validity;
      for (let i = 0; i < data.length; i++) {
        if (((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 0) continue;
        const x = values[i]!;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      this.min = min;
      this.max = max;
    }
    this.nulls += data.nullCount;
    this.count += data.length - data.nullCount;
  }

  /** The bins' range (once every batch went through {@link add}): what the second pass counts with. */
  histogramRange(): HistogramRange {
    return { min: this.min, max: this.max, bins: this.binCount() };
  }

  /** Merges the next batch's moments (batches in file order), with Chan et al.'s formula. */
  addMoments({ n, mean, m2 }: BatchMoments): void {
    if (n === 0) return;
    const count = this.merged + n;
    const delta = mean - this.mean;
    this.mean = this.merged === 0 ? mean : this.mean + delta * (n / count);
    this.m2 = this.merged === 0 ? m2 : this.m2 + m2 + delta * delta * ((this.merged * n) / count);
    this.merged = count;
  }

  /** Adds counts made with {@link histogramRange} (on any thread). */
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

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
