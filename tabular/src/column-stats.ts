import { open } from 'node:fs/promises';
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { fixedWidthLayout } from './arrow-column-reader';
import { countHistogramShare, type HistogramHelpers } from './histogram-pass';
import {
  BoolAccumulator,
  CategoricalAccumulator,
  DateAccumulator,
  NumericAccumulator,
  type Accumulator,
} from './stats-accumulators';
import type { ColumnType } from './type-inference';
import type { ColumnStats } from './stats-types';

export type { BoolStats, CategoricalStats, ColumnStats, DateStats, Histogram, NumericStats } from './stats-types';

/** Limits of the statistics. */
export interface StatsOptions {
  /** Distinct values tracked per text column before counting stops (default 100,000). */
  maxDistinct?: number;
  /** Most frequent values reported per text column (default 20). */
  topValues?: number;
  /** Histogram bins per numeric column (default 20). */
  histogramBins?: number;
}

/** Accumulates statistics batch by batch; numeric moments and histograms need a second pass (min/max first). */
export class StatsCollector {
  private readonly accumulators: Accumulator[];

  constructor(columns: readonly { name: string; type: ColumnType }[], options: StatsOptions = {}) {
    const maxDistinct = options.maxDistinct ?? 100_000;
    const topValues = options.topValues ?? 20;
    const bins = options.histogramBins ?? 20;
    this.accumulators = columns.map(({ name, type }) => {
      switch (type) {
        case 'int':
        case 'float':
          return new NumericAccumulator(name, type, bins);
        case 'string':
          return new CategoricalAccumulator(name, maxDistinct, topValues);
        case 'bool':
          return new BoolAccumulator(name);
        case 'date':
          return new DateAccumulator(name);
      }
    });
  }

  /** First pass: counts, ranges, distinct values. */
  addBatch(batch: RecordBatch): void {
    this.accumulators.forEach((accumulator, i) => accumulator.add(batch.data.children[i]!));
  }

  /** The numeric columns with values, by index: the second pass computes their moments and histograms. */
  histogramColumns(): Map<number, NumericAccumulator> {
    const columns = new Map<number, NumericAccumulator>();
    this.accumulators.forEach((a, i) => {
      if (a instanceof NumericAccumulator && a.count > 0) columns.set(i, a);
    });
    return columns;
  }

  finish(): ColumnStats[] {
    return this.accumulators.map((a) => a.finish());
  }
}

/**
 * Runs the second pass of `collector` over an Arrow IPC file: reads only the numeric columns' buffers,
 * a batch at a time, into reused memory. With `helpers`, their threads count shares of the batches
 * beside this one (a share whose thread fails is counted here): the same counts, sooner.
 */
export async function secondPassOverFile(
  path: string,
  schema: Schema,
  collector: StatsCollector,
  helpers?: HistogramHelpers,
): Promise<void> {
  const numeric = collector.histogramColumns();
  if (numeric.size === 0) return;
  const columns = [...numeric].map(([column, a]) => ({ column, type: a.type, ...a.histogramRange() }));
  const layout = fixedWidthLayout(schema, path);
  const parts = 1 + (helpers?.count ?? 0);
  const here = (part: number) => countHistogramShare(path, layout, columns, { part, parts });
  const shares = [here(0)];
  for (let helper = 0; helper < parts - 1; helper++) {
    const share = { part: helper + 1, parts };
    shares.push(helpers!.countHistogramShare(helper, path, layout, columns, share).catch(() => here(share.part)));
  }
  const done = await Promise.all(shares);
  columns.forEach(({ column }, k) => {
    const accumulator = numeric.get(column)!;
    for (const share of done) accumulator.addHistogramCounts(share.counts[k]!);
    // Batch b is the (b / parts)th of share b % parts: merged in file order.
    for (let b = 0; ; b++) {
      const moments = done[b % parts]!.moments[k]!;
      const at = 3 * Math.floor(b / parts);
      if (at >= moments.length) break;
      accumulator.addMoments({ n: moments[at]!, mean: moments[at + 1]!, m2: moments[at + 2]! });
    }
  });
}

/** Statistics of an existing Arrow IPC file, in two streaming passes. */
export async function computeFileStats(
  path: string,
  columns: readonly { name: string; type: ColumnType }[],
  options: StatsOptions = {},
): Promise<ColumnStats[]> {
  const collector = new StatsCollector(columns, options);
  const handle = await open(path, 'r');
  let schema: Schema | undefined;
  try {
    const reader = await RecordBatchReader.from(handle);
    for await (const batch of reader) {
      schema ??= batch.schema;
      collector.addBatch(batch);
    }
  } finally {
    await handle.close();
  }
  // Without a batch there is nothing to count.
  if (schema !== undefined) await secondPassOverFile(path, schema, collector);
  return collector.finish();
}
