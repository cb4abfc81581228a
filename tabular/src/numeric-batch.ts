import { numericKernel } from './numeric-kernel';

/** The histogram's bins: `bins` equal widths from `min` to `max`. */
export interface HistogramRange {
  min: number;
  max: number;
  bins: number;
}

/** One batch's moments: its non-null values, their mean and their sum of squared deviations from it. */
export interface BatchMoments {
  n: number;
  mean: number;
  m2: number;
}

/**
 * The second pass over one batch of a numeric column (`length` rows; `validity` with bit `i` set for
 * a non-null row, null: none): the batch's moments (two passes, sum then squared deviations from the
 * batch's mean, merged into the column's in batch order with Chan et al.'s formula: as stable as
 * Welford, without a division per value), and its values counted into `counts`, bins of `range`.
 * Counts are whole numbers, so shares counted apart add up to the same; the moments are merged in
 * batch order whichever thread computed them, so they do not depend on the threads either.
 */
export function batchMomentsAndCounts(
  values: Float64Array | Int32Array,
  validity: Uint8Array | null,
  length: number,
  range: HistogramRange,
  counts: Float64Array,
): BatchMoments {
  const { min, max, bins } = range;
  // Halves keep `max - min` finite for any finite min and max.
  const halfMin = min / 2;
  const halfRange = max / 2 - halfMin;
  const kernel = numericKernel();
  const int = values instanceof Int32Array;
  const inKernel = halfRange > 0 && Number.isFinite(halfRange) && Number.isFinite(halfMin);
  kernel.load(values, length, inKernel ? bins : 0, validity);
  const { sum, valid } = kernel.sumAndCount(int, length, inKernel ? counts : null, halfMin, halfRange);
  if (!inKernel) countIntoHistogram(counts, range, values, validity, length);
  if (valid === 0) return { n: 0, mean: 0, m2: 0 };
  let mean = sum / valid;
  // The sum overflowed: average the values scaled down instead.
  if (!Number.isFinite(mean)) mean = scaledMean(values, validity, length, valid);
  return { n: valid, mean, m2: kernel.squaredDeviations(int, length, mean) };
}

/** The mean of the `n` non-null values, each divided by `n` before adding (when their sum overflows). */
function scaledMean(values: Float64Array | Int32Array, bits: Uint8Array | null, length: number, n: number): number {
  let scaled = 0;
  for (let i = 0; i < length; i++) {
    if (bits !== null && ((bits[i >> 3]! >> (i & 7)) & 1) === 0) continue;
    scaled += values[i]! / n;
  }
  return scaled;
}

/**
 * Counts `values` (of `length` rows; `validity` with bit `i` set for a non-null row, null: none) into
 * `counts`, bins of `range` (a NaN into none). wasm/numeric-kernel.ts counts the same way.
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
  const halfMin = min / 2;
  const halfRange = max / 2 - halfMin;
  if (halfRange === 0) {
    counts[0]! += validity === null ? length : countBits(validity, length);
    return;
  }
  for (let i = 0; i < length; i++) {
    if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) continue;
    const bin = Math.floor(((values[i]! / 2 - halfMin) / halfRange) * bins);
    counts[bin > last ? last : bin < 0 ? 0 : bin]!++;
  }
}

/** Set bits among the first `length`. */
function countBits(bits: Uint8Array, length: number): number {
  let count = 0;
  for (let i = 0; i < length; i++) count += (bits[i >> 3]! >> (i & 7)) & 1;
  return count;
}
