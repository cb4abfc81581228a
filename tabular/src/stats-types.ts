// The JSON shapes of column statistics are part of the `Dataset` port value, declared in the engine
// (kept in this module of their own so the accumulators and the collector do not import each other).
export type { BoolStats, CategoricalStats, ColumnStats, DateStats, Histogram, NumericStats } from '@kiln/engine';
