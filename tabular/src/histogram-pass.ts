import { readColumnsByLayout, type BatchShare } from './arrow-column-reader';
import { countIntoHistogram, type HistogramRange } from './stats-accumulators';

/** A numeric column of the histogram pass, by index, with its bins. */
export interface HistogramColumn extends HistogramRange {
  column: number;
  type: 'int' | 'float';
}

/**
 * Counts a share of the record batches of an Arrow file (see {@link BatchShare}) into the columns'
 * bins, reading only their buffers: one array of counts per column, in order. `layout` is the file's
 * `fixedWidthLayout`. Whole-number counts, so shares counted on different threads add up to what one
 * thread counts alone.
 */
export async function countHistogramShare(
  path: string,
  layout: readonly number[],
  columns: readonly HistogramColumn[],
  share: BatchShare,
): Promise<Float64Array[]> {
  const counts = columns.map((c) => new Float64Array(c.bins));
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
      countIntoHistogram(counts[k]!, spec, array, validity, length);
    },
    share,
  );
  return counts;
}

/**
 * Threads that count shares of the histogram pass beside the calling thread (the CSV parse threads,
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
  ): Promise<Float64Array[]>;
}
