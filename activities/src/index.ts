export * from './define-node';
export * from './nodes/index';
export type { LoggedPrediction, LoggedRequest } from './nodes/monitor/prediction-logs';
export { type ApiConnection, apiConnectionFromEnv } from './platform/kiln-api';
export { quantile } from './nodes/monitor/prediction-logs';
