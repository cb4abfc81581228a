export * from './catalog';
export * from './define-node';
export * from './lazy-node';
export type { LoggedPrediction, LoggedRequest } from './monitor/prediction-logs';
export { type ApiConnection, apiConnectionFromEnv } from './platform/kiln-api';
export { quantile } from './monitor/prediction-logs';
