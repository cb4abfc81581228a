import { EntitySchema } from 'typeorm';
import type {
  ApiTokenRecord,
  AuditRecord,
  DeploymentEventRecord,
  DeploymentRecord,
  ModelRecord,
  ModelVersionRecord,
  NodeTypeRecord,
  NodeTypeWorkerRecord,
  PipelineRecord,
  PipelineVersionRecord,
  PredictionFeedbackRecord,
  PredictionLogRecord,
  RunRecord,
  ScheduleRecord,
  WebhookDeliveryRecord,
  WebhookRecord,
} from './records';

// Entity schemas, not decorators: they need no decorator metadata, so they load the same under swc,
// vitest and plain Node. The tables themselves are made by the migrations.

const ts = (name: string, nullable = false) => ({ type: 'timestamptz' as const, name, nullable });

/**
 * An increasing bigint key, read as a decimal string on both databases (PostgreSQL's driver gives a
 * string, PGlite a number; a JSON number would lose precision past 2^53 anyway).
 */
const bigintKey = {
  type: 'bigint',
  primary: true,
  generated: 'increment',
  transformer: { from: (v: unknown) => (v === null || v === undefined ? v : String(v)), to: (v: unknown) => v },
} as const;

export const Pipeline = new EntitySchema<PipelineRecord>({
  name: 'Pipeline',
  tableName: 'pipelines',
  columns: {
    id: { type: 'uuid', primary: true },
    name: { type: 'text' },
    description: { type: 'text', nullable: true },
    latestVersion: { type: 'int', name: 'latest_version' },
    createdAt: ts('created_at'),
    updatedAt: ts('updated_at'),
    archivedAt: ts('archived_at', true),
    createdBy: { type: 'text', name: 'created_by' },
    layout: { type: 'jsonb', nullable: true },
  },
});

export const PipelineVersion = new EntitySchema<PipelineVersionRecord>({
  name: 'PipelineVersion',
  tableName: 'pipeline_versions',
  columns: {
    pipelineId: { type: 'uuid', primary: true, name: 'pipeline_id' },
    version: { type: 'int', primary: true },
    spec: { type: 'jsonb' },
    hash: { type: 'text' },
    author: { type: 'text' },
    createdAt: ts('created_at'),
  },
});

export const Run = new EntitySchema<RunRecord>({
  name: 'Run',
  tableName: 'runs',
  columns: {
    id: { type: 'text', primary: true },
    pipelineId: { type: 'uuid', name: 'pipeline_id' },
    version: { type: 'int' },
    params: { type: 'jsonb' },
    trigger: { type: 'text' },
    status: { type: 'text' },
    startedAt: ts('started_at'),
    endedAt: ts('ended_at', true),
    createdBy: { type: 'text', name: 'created_by', nullable: true },
    source: { type: 'text', nullable: true },
    error: { type: 'text', nullable: true },
    state: { type: 'jsonb', nullable: true },
  },
});

export const Schedule = new EntitySchema<ScheduleRecord>({
  name: 'Schedule',
  tableName: 'schedules',
  columns: {
    id: { type: 'text', primary: true },
    pipelineId: { type: 'uuid', name: 'pipeline_id' },
    cron: { type: 'text' },
    timezone: { type: 'text' },
    params: { type: 'jsonb' },
    overlap: { type: 'text' },
    paused: { type: 'boolean' },
    createdAt: ts('created_at'),
    createdBy: { type: 'text', name: 'created_by' },
  },
});

export const Webhook = new EntitySchema<WebhookRecord>({
  name: 'Webhook',
  tableName: 'webhooks',
  columns: {
    id: { type: 'uuid', primary: true },
    pipelineId: { type: 'uuid', name: 'pipeline_id' },
    secret: { type: 'text' },
    secretKeyId: { type: 'text', name: 'secret_key_id', nullable: true },
    paramMapping: { type: 'jsonb', name: 'param_mapping' },
    createdAt: ts('created_at'),
    createdBy: { type: 'text', name: 'created_by' },
    createdRole: { type: 'text', name: 'created_role', nullable: true },
    deletedAt: ts('deleted_at', true),
  },
});

export const WebhookDelivery = new EntitySchema<WebhookDeliveryRecord>({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  columns: {
    webhookId: { type: 'uuid', primary: true, name: 'webhook_id' },
    messageId: { type: 'text', primary: true, name: 'message_id' },
    runId: { type: 'text', name: 'run_id' },
    receivedAt: ts('received_at'),
  },
});

export const ApiToken = new EntitySchema<ApiTokenRecord>({
  name: 'ApiToken',
  tableName: 'api_tokens',
  columns: {
    id: { type: 'uuid', primary: true },
    name: { type: 'text' },
    role: { type: 'text' },
    digest: { type: 'text' },
    createdAt: ts('created_at'),
    createdBy: { type: 'text', name: 'created_by' },
    lastUsedAt: ts('last_used_at', true),
    revokedAt: ts('revoked_at', true),
  },
});

export const Audit = new EntitySchema<AuditRecord>({
  name: 'Audit',
  tableName: 'audit_log',
  columns: {
    id: bigintKey,
    at: ts('at'),
    actor: { type: 'text' },
    action: { type: 'text' },
    target: { type: 'text' },
    details: { type: 'jsonb' },
  },
});

export const Model = new EntitySchema<ModelRecord>({
  name: 'Model',
  tableName: 'models',
  columns: {
    name: { type: 'text', primary: true },
    description: { type: 'text', nullable: true },
    createdAt: ts('created_at'),
    createdBy: { type: 'text', name: 'created_by' },
  },
});

export const ModelVersion = new EntitySchema<ModelVersionRecord>({
  name: 'ModelVersion',
  tableName: 'model_versions',
  columns: {
    name: { type: 'text', primary: true },
    version: { type: 'int', primary: true },
    model: { type: 'jsonb' },
    metrics: { type: 'jsonb' },
    lineage: { type: 'jsonb' },
    stage: { type: 'text' },
    wasProduction: { type: 'boolean', name: 'was_production' },
    stageChangedAt: ts('stage_changed_at'),
    card: { type: 'jsonb' },
    reference: { type: 'jsonb', nullable: true },
    createdAt: ts('created_at'),
    createdBy: { type: 'text', name: 'created_by' },
  },
});

export const Deployment = new EntitySchema<DeploymentRecord>({
  name: 'Deployment',
  tableName: 'deployments',
  columns: {
    name: { type: 'text', primary: true },
    modelName: { type: 'text', name: 'model_name' },
    primaryVersion: { type: 'int', name: 'primary_version', nullable: true },
    standbyVersion: { type: 'int', name: 'standby_version', nullable: true },
    candidateVersion: { type: 'int', name: 'candidate_version', nullable: true },
    candidateMode: { type: 'text', name: 'candidate_mode', nullable: true },
    canaryPercent: { type: 'double precision', name: 'canary_percent' },
    strategy: { type: 'text' },
    logSampleRate: { type: 'double precision', name: 'log_sample_rate' },
    generation: { type: 'int' },
    createdAt: ts('created_at'),
    createdBy: { type: 'text', name: 'created_by' },
    updatedAt: ts('updated_at'),
  },
});

export const DeploymentEvent = new EntitySchema<DeploymentEventRecord>({
  name: 'DeploymentEvent',
  tableName: 'deployment_events',
  columns: {
    id: bigintKey,
    deployment: { type: 'text' },
    at: ts('at'),
    kind: { type: 'text' },
    version: { type: 'int', nullable: true },
    detail: { type: 'jsonb' },
    actor: { type: 'text' },
  },
});

export const PredictionLog = new EntitySchema<PredictionLogRecord>({
  name: 'PredictionLog',
  tableName: 'prediction_logs',
  columns: {
    id: bigintKey,
    deployment: { type: 'text' },
    artifact: { type: 'jsonb' },
    rows: { type: 'int' },
    requests: { type: 'int' },
    errors: { type: 'int' },
    firstAt: ts('first_at'),
    lastAt: ts('last_at'),
  },
});

export const PredictionFeedback = new EntitySchema<PredictionFeedbackRecord>({
  name: 'PredictionFeedback',
  tableName: 'prediction_feedback',
  columns: {
    predictionId: { type: 'text', primary: true, name: 'prediction_id' },
    deployment: { type: 'text' },
    label: { type: 'jsonb' },
    receivedAt: ts('received_at'),
  },
});

export const NodeType = new EntitySchema<NodeTypeRecord>({
  name: 'NodeType',
  tableName: 'node_types',
  columns: {
    type: { type: 'text', primary: true },
    version: { type: 'int', primary: true },
    source: { type: 'text' },
    language: { type: 'text' },
    queue: { type: 'text' },
    info: { type: 'jsonb' },
    digest: { type: 'text' },
    registeredAt: ts('registered_at'),
    updatedAt: ts('updated_at'),
  },
});

export const NodeTypeWorker = new EntitySchema<NodeTypeWorkerRecord>({
  name: 'NodeTypeWorker',
  tableName: 'node_type_workers',
  columns: {
    workerId: { type: 'text', primary: true, name: 'worker_id' },
    source: { type: 'text' },
    language: { type: 'text' },
    queue: { type: 'text' },
    types: { type: 'jsonb' },
    registeredBy: { type: 'text', name: 'registered_by' },
    firstSeenAt: ts('first_seen_at'),
    lastSeenAt: ts('last_seen_at'),
    expiresAt: ts('expires_at'),
  },
});

export const ENTITIES = [
  Pipeline,
  PipelineVersion,
  Run,
  Schedule,
  Webhook,
  WebhookDelivery,
  ApiToken,
  Audit,
  Model,
  ModelVersion,
  Deployment,
  DeploymentEvent,
  PredictionLog,
  PredictionFeedback,
  NodeType,
  NodeTypeWorker,
];
