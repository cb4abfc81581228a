export { BinMapper, type BinningOptions } from './binning';
export { Booster, type BoosterModel, type ImportanceType } from './booster';
export { AbortError, GbdtInputError } from './errors';
export { trainBooster } from './train';
export type {
  BoosterParams,
  Dataset,
  FeatureMatrix,
  IterationRecord,
  MetricName,
  ObjectiveName,
  ProgressCallback,
  RowMajorMatrix,
  TrainOptions,
  Tree,
} from './types';
