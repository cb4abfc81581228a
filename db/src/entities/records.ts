/** Row types of the Kiln database. Column names are snake_case in SQL, camelCase here. */

/** A JSON document column (jsonb). Loosely typed so TypeORM's partial-entity types accept it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonDoc = Record<string, any>;

import type { DeployStrategy, Role, TokenRole } from '@kiln/engine';

// Roles are defined with the capability policy in the engine; re-exported for the db's callers.
export { ROLES, type Role } from '@kiln/engine';

/**
 * What a token may be: a person's role, or `worker`, which may only register the node types its
 * worker serves (`PUT /node-types/registrations/:workerId`) and nothing else.
 */
export { TOKEN_ROLES, type TokenRole } from '@kiln/engine';

export type RunTrigger = 'api' | 'schedule' | 'webhook' | 'rerun' | 'cli' | 'drift';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface PipelineRecord {
  id: string;
  name: string;
  description: string | null;
  latestVersion: number;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  createdBy: string;
  /** Node positions by node id: the studio's layout, kept apart from the versions (not part of their identity). */
  layout: JsonDoc | null;
}

/** An immutable version of a pipeline's spec (without node positions; `hash` is its identity, `pipelineHash`). */
export interface PipelineVersionRecord {
  pipelineId: string;
  version: number;
  spec: JsonDoc;
  hash: string;
  author: string;
  createdAt: Date;
}

export interface RunRecord {
  /** The Temporal workflow id. */
  id: string;
  pipelineId: string;
  version: number;
  params: JsonDoc;
  trigger: RunTrigger;
  status: RunStatus;
  startedAt: Date;
  endedAt: Date | null;
  createdBy: string | null;
  /** The schedule or webhook that started it. */
  source: string | null;
  error: string | null;
  /** The final run state (node states and outputs), kept once the run has ended. */
  state: JsonDoc | null;
}

export interface ScheduleRecord {
  /** The Temporal schedule id. */
  id: string;
  pipelineId: string;
  cron: string;
  timezone: string;
  params: JsonDoc;
  overlap: string;
  paused: boolean;
  createdAt: Date;
  createdBy: string;
}

export interface WebhookRecord {
  id: string;
  pipelineId: string;
  /**
   * The signing secret (`whsec_…`) sealed with the API's key ring (`kiln-sealed:v1:…`); needed to
   * verify signatures, never returned after creation.
   */
  secret: string;
  /** The key that sealed `secret`; null for a plaintext secret from before sealing (sealed at API start). */
  secretKeyId: string | null;
  paramMapping: Record<string, string>;
  createdAt: Date;
  createdBy: string;
  /** The creator's role when making it, which deliveries act with; null for webhooks from before roles were kept. */
  createdRole: Role | null;
  deletedAt: Date | null;
}

/** One accepted delivery: the same `webhook-id` starts at most one run, ever. */
export interface WebhookDeliveryRecord {
  webhookId: string;
  messageId: string;
  runId: string;
  receivedAt: Date;
}

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  /** SHA-256 of the token, hex; the token itself is shown once and never stored. */
  digest: string;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AuditRecord {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  details: JsonDoc;
}

export type ModelStage = 'none' | 'staging' | 'production' | 'archived';

export interface ModelRecord {
  name: string;
  description: string | null;
  createdAt: Date;
  createdBy: string;
}

/** A registered model version: the ONNX model ref, its metrics, where it came from, and its card. */
export interface ModelVersionRecord {
  name: string;
  version: number;
  model: JsonDoc;
  metrics: JsonDoc;
  /** Run, pipeline version, node, and the digests of the datasets and transform it was trained on. */
  lineage: JsonDoc;
  stage: ModelStage;
  /** Whether it was ever in production (what rollback returns to). */
  wasProduction: boolean;
  stageChangedAt: Date;
  card: JsonDoc;
  /** The training dataset (a `DatasetRef` with its statistics), the reference for drift monitoring. */
  reference?: JsonDoc | null;
  createdAt: Date;
  createdBy: string;
}

/** How a version is rolled out (declared with the `Deployment` port value). */
export type DeploymentStrategy = DeployStrategy;

/**
 * What a deployment serves: `primaryVersion` takes live traffic; a `candidateVersion` either takes
 * `canaryPercent` of it (`canary`) or sees a mirrored copy whose answers are logged and discarded
 * (`shadow`); `standbyVersion` is the version blue-green switched away from, kept for switching back.
 * `generation` grows with every change, so serving processes notice.
 */
export interface DeploymentRecord {
  name: string;
  modelName: string;
  primaryVersion: number | null;
  standbyVersion: number | null;
  candidateVersion: number | null;
  candidateMode: 'canary' | 'shadow' | null;
  canaryPercent: number;
  strategy: DeploymentStrategy;
  logSampleRate: number;
  generation: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
}

export interface DeploymentEventRecord {
  id?: string;
  deployment: string;
  at: Date;
  /** rollout, ready, switch, promote, rollback, readiness_failed, drift, … */
  kind: string;
  version: number | null;
  detail: JsonDoc;
  actor: string;
}

/** One chunk of logged predictions (JSON Lines in the artifact store). */
export interface PredictionLogRecord {
  id?: string;
  deployment: string;
  artifact: JsonDoc;
  rows: number;
  requests: number;
  errors: number;
  firstAt: Date;
  lastAt: Date;
}

export interface PredictionFeedbackRecord {
  predictionId: string;
  deployment: string;
  label: JsonDoc;
  receivedAt: Date;
}

/**
 * A node type registered by its workers, one row per type and version (kept when its workers are
 * gone: the catalog shows it unserved). A type name belongs to one source.
 */
export interface NodeTypeRecord {
  type: string;
  version: number;
  source: string;
  language: string;
  queue: string;
  /** The catalog entry as registered, defaults filled in (`RegisteredTypeInfo`). */
  info: JsonDoc;
  /** SHA-256 of the canonical JSON of `info` and `queue`: a live worker's copy must not differ. */
  digest: string;
  registeredAt: Date;
  updatedAt: Date;
}

/** A worker's registration of the types it serves; renewed by the worker, expired when it stops doing so. */
export interface NodeTypeWorkerRecord {
  workerId: string;
  source: string;
  language: string;
  queue: string;
  /** The types it serves. */
  types: { type: string; version: number }[];
  /** The token that registered it (its name), for the audit trail. */
  registeredBy: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}