export * from './errors';
export * from './inference-pool';
export { InstanceError, MAX_INSTANCES, instancesToColumns, type Columns } from './instances';
export type { ModelSignature, PredictResult } from './signature';
