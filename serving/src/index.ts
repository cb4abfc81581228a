export * from './errors';
export * from './inference-pool';
export { type BatchPredictions, ModelSession } from './model-session';
export { InstanceError, MAX_INSTANCES, instancesToColumns, type Columns } from './instances';
export type { ModelSignature, PredictResult } from './signature';
export type { ColumnData, RunOutputs } from './thread-protocol';
