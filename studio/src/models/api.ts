// Typed calls for the model registry and deployments (`/api/v1/models`, `/api/v1/deployments`).
import type { ColumnStats, ModelFeature } from '@kiln/engine';
import type {
  DeploymentDetail,
  DeploymentEvent,
  DeploymentRolledOut,
  DeploymentStrategy,
  DeploymentSummary,
  MinuteStats,
  ModelDetail,
  ModelStage,
  ModelSummary,
  ModelVersionDetail,
  Prediction,
} from '@kiln/api-types';
import { api } from '../api/client';

// The answers' shapes are @kiln/api-types' (one zod schema each, shared with the API).
export type {
  CandidateMode,
  DeploymentDetail,
  DeploymentEvent,
  DeploymentSummary,
  MinuteStats,
  ModelDetail,
  ModelStage,
  ModelSummary,
  ModelVersionDetail,
  ModelVersionSummary,
  Prediction,
} from '@kiln/api-types';
export type Strategy = DeploymentStrategy;
/** A model's raw input column (the `Model` port value's, declared in the engine). */
export type Feature = ModelFeature;
/** A column's training statistics (the `Dataset` port value's, declared in the engine). */
export type { ColumnStats };

const seg = encodeURIComponent;

export const registryApi = {
  models: () => api<ModelSummary[]>('GET', '/models'),
  model: (name: string) => api<ModelDetail>('GET', `/models/${seg(name)}`),
  version: (name: string, version: number) =>
    api<ModelVersionDetail>('GET', `/models/${seg(name)}/versions/${version}`),
  promoteVersion: (name: string, version: number, stage: Exclude<ModelStage, 'none'>) =>
    api<ModelVersionDetail>('POST', `/models/${seg(name)}/versions/${version}/promote`, { stage }),
  rollbackModel: (name: string) => api<ModelVersionDetail>('POST', `/models/${seg(name)}/rollback`),

  deployments: () => api<DeploymentSummary[]>('GET', '/deployments'),
  deployment: (name: string) => api<DeploymentDetail>('GET', `/deployments/${seg(name)}`),
  stats: (name: string) => api<MinuteStats[]>('GET', `/deployments/${seg(name)}/stats`),
  events: (name: string, kind?: string, limit = 100) =>
    api<DeploymentEvent[]>(
      'GET',
      `/deployments/${seg(name)}/events?${new URLSearchParams({ ...(kind ? { kind } : {}), limit: String(limit) })}`,
    ),
  promote: (name: string) => api<DeploymentDetail>('POST', `/deployments/${seg(name)}/promote`),
  rollback: (name: string, reason?: string) =>
    api<DeploymentDetail>('POST', `/deployments/${seg(name)}/rollback`, reason ? { reason } : {}),
  patch: (name: string, change: { canaryPercent?: number; logSampleRate?: number }) =>
    api<DeploymentDetail>('PATCH', `/deployments/${seg(name)}`, change),
  rollout: (
    name: string,
    body: { model: string; version: number; strategy: Strategy; canaryPercent?: number },
  ) => api<DeploymentRolledOut>('PUT', `/deployments/${seg(name)}`, body),
  predict: (name: string, instances: Record<string, unknown>[]) =>
    api<Prediction>('POST', `/deployments/${seg(name)}/predict`, { instances }),
};
