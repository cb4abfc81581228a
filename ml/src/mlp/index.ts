export { AbortError, ModelInputError } from '../linear/errors';
export { type EpochRecord, MlpModel, type MlpModelData } from './model';
export type { Activation } from './network';
export { exportMlpToOnnx, mlpToOnnx } from './onnx-export';
export { type MlpParams, type MlpTrainOptions, trainMlp } from './train';
