// Typed calls for the model registry and deployments (`/api/v1/models`, `/api/v1/deployments`).
import type { ColumnStats, DatasetValue, ModelFeature, ModelValue } from '@kiln/engine';
import { api } from '../api/client';

export type ModelStage = 'none' | 'staging' | 'production' | 'archived';

export interface ModelSummary {
  name: string;
  description: string | null;
  versions: number;
  latestVersion: number;
  production: number | null;
  createdAt: string;
}
export interface ModelVersionSummary {
  version: number;
  stage: ModelStage;
  metrics: Record<string, unknown>;
  createdAt: string;
  createdBy: string | null;
}
export interface ModelDetail {
  name: string;
  description: string | null;
  versions: ModelVersionSummary[];
}
/** A model's raw input column (the `Model` port value's, declared in the engine). */
export type Feature = ModelFeature;
/** A column's training statistics (the `Dataset` port value's, declared in the engine). */
export type { ColumnStats };
export interface ModelVersionDetail {
  name: string;
  version: number;
  stage: ModelStage;
  /** The registered `Model` port value. */
  model: ModelValue;
  metrics: Record<string, unknown>;
  lineage: {
    runId: string;
    nodeId?: string;
    pipelineId: string;
    pipelineVersion: number;
    datasets: { nodeId: string; digest: string; rowCount: number | null; columns: number | null }[];
  };
  card: { sections: Record<string, unknown>; markdown: string } | null;
  /** The training data (a `Dataset` port value), the drift reference. */
  reference: DatasetValue | null;
  createdAt: string;
  createdBy: string | null;
}

export type CandidateMode = 'canary' | 'shadow';
export type Strategy = 'replace' | 'canary' | 'blue-green' | 'shadow';
export interface DeploymentSummary {
  name: string;
  modelName: string;
  primaryVersion: number | null;
  standbyVersion: number | null;
  candidateVersion: number | null;
  candidateMode: CandidateMode | null;
  canaryPercent: number;
  strategy: Strategy;
  logSampleRate: number;
  generation: number;
  updatedAt: string;
}
export type EventKind =
  'rollout' | 'promote' | 'rollback' | 'readiness_failed' | 'traffic' | 'monitor' | 'drift' | 'retrain';
export interface DeploymentEvent {
  id: string | number;
  at: string;
  kind: EventKind | string;
  version: number | null;
  detail: Record<string, unknown>;
  actor: string;
}
export interface DeploymentDetail extends DeploymentSummary {
  ready: boolean;
  serving: {
    primary: { version: number; ready: boolean } | null;
    candidate: { version: number; mode: CandidateMode; percent: number; ready: boolean } | null;
    standby: { version: number; ready: boolean } | null;
    failed: Record<string, string>;
  };
  events: DeploymentEvent[];
}
export interface MinuteStats {
  minute: string;
  version: number;
  role: 'primary' | 'canary' | 'shadow' | string;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}
export interface Prediction {
  predictions: unknown[];
  probabilities: number[][] | null;
  modelVersion: number;
  ids: string[];
}

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
  ) => api<DeploymentDetail>('PUT', `/deployments/${seg(name)}`, body),
  predict: (name: string, instances: Record<string, unknown>[]) =>
    api<Prediction>('POST', `/deployments/${seg(name)}/predict`, { instances }),
};
