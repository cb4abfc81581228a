import { BinLookup } from './bin-lookup';
import { GbdtInputError } from './errors';
import { sortFloat32 } from './float-sort';
import { typedArray } from './shared-memory';
import { type BinnedRows, rowStride } from './histogram';
import { Rng, sampleSorted } from './random';

/** How to find bin thresholds. */
export interface BinningOptions {
  /** Maximum non-missing bins per feature, 2..255 (default 255). */
  maxBins?: number;
  /** Rows sampled to find thresholds (default 200 000). */
  sampleSize?: number;
  seed?: number;
}

/**
 * Quantile bins per feature, like scikit-learn's `_BinMapper`.
 *
 * Values are compared as float32 (`Math.fround`) and every threshold is float32-representable, so an
 * ONNX tree ensemble fed float32 inputs with `BRANCH_LEQ` routes each row exactly as training did.
 * A value `x` falls in bin `b` = the first `b` with `fround(x) <= thresholds[b]` (or `thresholds.length`);
 * `NaN` falls in the feature's missing bin, `numBins(f)`, one past the last value bin.
 */
export class BinMapper {
  /** Strictly increasing float32 bin edges, one array per feature. */
  readonly thresholds: readonly Float64Array[];

  private readonly lookups: (BinLookup | undefined)[] = [];

  constructor(thresholds: readonly Float64Array[]) {
    this.thresholds = thresholds;
  }

  get numFeatures(): number {
    return this.thresholds.length;
  }

  /** Bins holding values (missing bin excluded). */
  numBins(feature: number): number {
    return this.thresholds[feature]!.length + 1;
  }

  /** The bin index that holds missing values. */
  missingBin(feature: number): number {
    return this.thresholds[feature]!.length + 1;
  }

  /** The float32 edge for "bin <= `bin` goes left"; +Infinity when every value bin goes left. */
  thresholdValue(feature: number, bin: number): number {
    const t = this.thresholds[feature]!;
    return bin < t.length ? t[bin]! : Infinity;
  }

  /** Learns thresholds from column-major data. */
  static fit(columns: readonly Float64Array[], options: BinningOptions = {}): BinMapper {
    const maxBins = options.maxBins ?? 255;
    if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) {
      throw new GbdtInputError(`maxBins must be an integer from 2 to 255, got ${maxBins}`);
    }
    const numRows = columns[0]?.length ?? 0;
    const sampleSize = options.sampleSize ?? 200_000;
    const rows =
      numRows > sampleSize ? sampleSorted(new Rng(options.seed ?? 0), numRows, sampleSize) : undefined;
    const thresholds = columns.map((col) => featureThresholds(col, rows, maxBins));
    return new BinMapper(thresholds);
  }

  /** Bins one column; `feature` picks the thresholds. Writes `out[offset + i * stride]` when `out` is given. */
  binColumn(column: Float64Array, feature: number, out?: Uint8Array, stride = 1, offset = 0): Uint8Array {
    const result = out ?? new Uint8Array(column.length);
    this.lookups[feature] ??= new BinLookup(this.thresholds[feature]!);
    this.lookups[feature].binInto(column, result, stride, offset, this.missingBin(feature));
    return result;
  }

  /** Bins every column, one `Uint8Array` per feature. */
  transform(columns: readonly Float64Array[]): Uint8Array[] {
    this.checkWidth(columns);
    return columns.map((col, f) => this.binColumn(col, f));
  }

  /**
   * Bins every column into one row-major matrix (the layout training reads); in shared memory when
   * `shared` (for histogram worker threads).
   */
  transformRows(columns: readonly Float64Array[], shared = false): BinnedRows {
    this.checkWidth(columns);
    const numRows = columns[0]?.length ?? 0;
    const d = columns.length;
    const stride = rowStride(d);
    const data = typedArray(Uint8Array, numRows * stride, shared);
    columns.forEach((col, f) => this.binColumn(col, f, data, stride, f));
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
    return { data, words, numRows, numFeatures: d, stride };
  }

  private checkWidth(columns: readonly Float64Array[]): void {
    if (columns.length !== this.numFeatures) {
      throw new GbdtInputError(`expected ${this.numFeatures} feature columns, got ${columns.length}`);
    }
  }
}

/** Float32 thresholds for one feature: midpoints between distinct values, or quantiles if too many. */
function featureThresholds(
  column: Float64Array,
  rows: Uint32Array | undefined,
  maxBins: number,
): Float64Array {
  const n = rows ? rows.length : column.length;
  const values = new Float32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const x = column[rows ? rows[k]! : k]!;
    // `+ 0`: −0 sorts as +0.
    if (x === x) values[m++] = x + 0;
  }
  const sorted = sortFloat32(values.subarray(0, m));
  let distinct = m > 0 ? 1 : 0;
  for (let i = 1; i < m; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const candidates: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < m; i++) {
      if (sorted[i] !== sorted[i - 1]) candidates.push(edgeBetween(sorted[i - 1]!, sorted[i]!));
    }
  } else {
    // Quantiles of the sample, numpy's "midpoint" method (as scikit-learn does).
    for (let q = 1; q < maxBins; q++) {
      const pos = (q / maxBins) * (m - 1);
      const a = sorted[Math.floor(pos)]!;
      const b = sorted[Math.ceil(pos)]!;
      candidates.push(a === b ? a : edgeBetween(a, b));
    }
  }
  const out: number[] = [];
  // `+ 0`: a −0 threshold becomes +0 (the bin lookup keys on bit patterns).
  for (const t of candidates) if (out.length === 0 || t > out[out.length - 1]!) out.push(t + 0);
  return Float64Array.from(out);
}

/** A float32 threshold `t` with `a <= t < b` for float32 values `a < b`, as close to the midpoint as possible. */
function edgeBetween(a: number, b: number): number {
  const t = Math.fround(a + (b - a) / 2);
  return t < b ? t : a;
}
