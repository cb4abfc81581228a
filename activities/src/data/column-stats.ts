import { open } from 'node:fs/promises';
import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import {
  BoolAccumulator,
  CategoricalAccumulator,
  DateAccumulator,
  NumericAccumulator,
  type Accumulator,
} from './stats-accumulators';
import type { ColumnType } from './type-inference';

/** Limits of the statistics. */
export interface StatsOptions {
  /** Distinct values tracked per text column before counting stops (default 100,000). */
  maxDistinct?: number;
  /** Most frequent values reported per text column (default 20). */
  topValues?: number;
  /** Histogram bins per numeric column (default 20). */
  histogramBins?: number;
}

interface BaseStats {
  name: string;
  type: ColumnType;
  /** Non-null values. */
  count: number;
  nullCount: number;
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

/** Accumulates statistics batch by batch; numeric histograms need a second pass (min/max first). */
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

  /** First pass: counts, moments, distinct values. */
  addBatch(batch: RecordBatch): void {
    this.accumulators.forEach((accumulator, i) => accumulator.add(batch.data.children[i]!));
  }

  /** Whether a second pass over the batches is needed (for histograms). */
  get needsSecondPass(): boolean {
    return this.accumulators.some((a) => a instanceof NumericAccumulator && a.count > 0);
  }

  /** Second pass: histogram counts. */
  addSecondPassBatch(batch: RecordBatch): void {
    this.accumulators.forEach((accumulator, i) => {
      if (accumulator instanceof NumericAccumulator) accumulator.addToHistogram(batch.data.children[i]!);
    });
  }

  finish(): ColumnStats[] {
    return this.accumulators.map((a) => a.finish());
  }
}

/** Runs the second pass of `collector` over the batches of an Arrow IPC file, one batch in memory. */
export async function secondPassOverFile(path: string, collector: StatsCollector): Promise<void> {
  if (!collector.needsSecondPass) return;
  const handle = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(handle);
    for await (const batch of reader) collector.addSecondPassBatch(batch);
  } finally {
    await handle.close();
  }
}

/** Statistics of an existing Arrow IPC file, in two streaming passes. */
export async function computeFileStats(
  path: string,
  columns: readonly { name: string; type: ColumnType }[],
  options: StatsOptions = {},
): Promise<ColumnStats[]> {
  const collector = new StatsCollector(columns, options);
  const handle = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(handle);
    for await (const batch of reader) collector.addBatch(batch);
  } finally {
    await handle.close();
  }
  await secondPassOverFile(path, collector);
  return collector.finish();
}
