import { readColumnsByLayout, type BatchShare } from './arrow-column-reader';
import { batchMomentsAndCounts, type HistogramRange } from './numeric-batch';

/** A numeric column of the second pass, by index, with its bins. */
export interface HistogramColumn extends HistogramRange {
  column: number;
  type: 'int' | 'float';
}

/** What a share of the second pass found, one entry per column in order. */
export interface HistogramShareCounts {
  /** The bins' counts. */
  counts: Float64Array[];
  /** Per batch of the share, in order: its non-null values, mean and sum of squared deviations (3 numbers). */
  moments: Float64Array[];
}

/**
 * The second pass over a share of the record batches of an Arrow file (see {@link BatchShare}),
 * reading only the numeric columns' buffers: each batch's moments, and its values counted into the
 * columns' bins. `layout` is the file's `fixedWidthLayout`. Whole-number counts, so shares counted on
 * different threads add up to what one thread counts alone; moments per batch, merged in batch order
 * by the caller.
 */
export async function countHistogramShare(
  path: string,
  layout: readonly number[],
  columns: readonly HistogramColumn[],
  share: BatchShare,
): Promise<HistogramShareCounts> {
  const counts = columns.map((c) => new Float64Array(c.bins));
  const moments = columns.map(() => [] as number[]);
  const index = new Map(columns.map((c, k) => [c.column, k]));
  const read = columns.map((c) => c.column);
  await readColumnsByLayout(
    path,
    layout,
    read,
    (column, { length, validity, values }) => {
      const k = index.get(column)!;
      const spec = columns[k]!;
      const array =
        spec.type === 'int'
          ? new Int32Array(values.buffer, values.byteOffset, length)
          : new Float64Array(values.buffer, values.byteOffset, length);
      const { n, mean, m2 } = batchMomentsAndCounts(array, validity, length, spec, counts[k]!);
      moments[k]!.push(n, mean, m2);
    },
    share,
  );
  return { counts, moments: moments.map((m) => Float64Array.from(m)) };
}

/**
 * Threads that count shares of the second pass beside the calling thread (the CSV parse threads,
 * idle by then): helper `h` counts share `h + 1` of `count + 1`.
 */
export interface HistogramHelpers {
  readonly count: number;
  countHistogramShare(
    helper: number,
    path: string,
    layout: readonly number[],
    columns: readonly HistogramColumn[],
    share: BatchShare,
  ): Promise<HistogramShareCounts>;
}
