// The JSON shapes of column statistics (kept apart so the accumulators and the collector do not
// import each other).
import type { ColumnType, TypeOffenders } from './type-inference';

interface BaseStats {
  name: string;
  type: ColumnType;
  /** Non-null values. */
  count: number;
  /** Nulls, offenders included. */
  nullCount: number;
  /**
   * Cells that did not fit the column's inferred type, read as null (absent when there are none):
   * how many, and the first few with their line and value.
   */
  offenders?: TypeOffenders;
}

/** Equal-width bins from min to max; bin k is `[edges[k], edges[k+1])`, the last one closed. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** int and float columns. `std` is the sample standard deviation (n − 1); nulls when undefined. */
export interface NumericStats extends BaseStats {
  kind: 'numeric';
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  histogram: Histogram | null;
}

/**
 * string columns. Past `maxDistinct` values, counting stops: `distinctCount` reads `">100000"` and
 * `topValuesExact` is false (values first seen after that point are not counted).
 */
export interface CategoricalStats extends BaseStats {
  kind: 'categorical';
  distinctCount: number | `>${number}`;
  topValues: { value: string; count: number }[];
  topValuesExact: boolean;
}

export interface BoolStats extends BaseStats {
  kind: 'bool';
  trueCount: number;
  falseCount: number;
}

/** date columns: ISO 8601 strings (UTC). */
export interface DateStats extends BaseStats {
  kind: 'date';
  min: string | null;
  max: string | null;
}

/** Per-column statistics of a dataset: plain JSON, with no NaN or Infinity. */
export type ColumnStats = NumericStats | CategoricalStats | BoolStats | DateStats;
