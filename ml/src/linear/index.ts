export { type Dataset, type ProgressCallback, type Task } from './data';
export { AbortError, ModelInputError } from './errors';
export { LinearModel, type LinearModelData, type SolverRecord } from './model';
export { type DenseExportOptions, exportLinearToOnnx, linearToOnnx } from './onnx-export';
export {
  type LinearTrainOptions,
  type LogisticParams,
  type RidgeParams,
  trainLogistic,
  trainRidge,
} from './train';
