export { startApi, type RunningApi } from './create-api';
export { configFromEnv, type ApiConfig } from './config';
export { sign as signWebhook } from './webhooks/standard-webhooks';
export { ensureStudioBuilt } from './studio/ensure-built';
