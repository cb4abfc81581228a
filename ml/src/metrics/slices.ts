// Metrics per value of a categorical column, for bias checks (is the model worse for one group?).
import { MetricsInputError, requireNonEmpty, showLabel } from './validate';

/** A value of the slicing column; missing values (null, undefined, NaN) form one slice whose value is null. */
export type SliceValue = string | number | boolean | null;

/** The metrics of one slice. */
export interface SliceMetrics<T> {
  readonly value: SliceValue;
  /** Rows in the slice. */
  readonly count: number;
  /** The metric set, or null when the slice has fewer rows than `minCount`. */
  readonly metrics: T | null;
  /** Why `metrics` is null. */
  readonly reason?: string;
}

/**
 * Groups rows by the distinct values of `sliceValues` and calls `compute` with each group's row indices
 * (ascending). Slices come largest first, ties in order of first appearance. Slices smaller than
 * `minCount` (default 1) are listed with their count but no metrics.
 */
export function metricsBySlice<T>(
  sliceValues: readonly unknown[],
  compute: (rows: number[]) => T,
  options: { minCount?: number } = {},
): SliceMetrics<T>[] {
  if (!Array.isArray(sliceValues)) throw new MetricsInputError('sliceValues must be an array');
  requireNonEmpty('sliceValues', sliceValues.length);
  const minCount = options.minCount ?? 1;
  const groups = new Map<SliceValue, number[]>();
  sliceValues.forEach((raw, i) => {
    let key: SliceValue;
    if (raw === null || raw === undefined || (typeof raw === 'number' && Number.isNaN(raw))) key = null;
    else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') key = raw;
    else
      throw new MetricsInputError(
        `sliceValues[${i}] is ${showLabel(raw)}: a slice value must be a string, number, boolean or null`,
      );
    const rows = groups.get(key);
    if (rows) rows.push(i);
    else groups.set(key, [i]);
  });
  const entries = [...groups.entries()].map(([value, rows], order) => ({ value, rows, order }));
  entries.sort((a, b) => b.rows.length - a.rows.length || a.order - b.order);
  return entries.map(({ value, rows }) =>
    rows.length < minCount
      ? { value, count: rows.length, metrics: null, reason: `fewer than ${minCount} rows` }
      : { value, count: rows.length, metrics: compute(rows) },
  );
}

/** Picks the given rows of an array (or typed array) into a plain array. */
export function pickRows<T>(values: ArrayLike<T>, rows: readonly number[]): T[] {
  return rows.map((r) => values[r]!);
}

/** Picks the given rows of an n×k row-major matrix. */
export function pickMatrixRows(values: ArrayLike<number>, k: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * k);
  rows.forEach((r, i) => {
    for (let c = 0; c < k; c++) out[i * k + c] = values[r * k + c]!;
  });
  return out;
}
