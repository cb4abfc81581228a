import { z } from 'zod';
import { artifactRefSchema } from '@kiln/engine';
import { bigintId, jsonObject, timestamp } from './common';

export const candidateMode = z.enum(['canary', 'shadow']);
export const deploymentStrategy = z.enum(['replace', 'canary', 'blue-green', 'shadow']);
export type CandidateMode = z.infer<typeof candidateMode>;
export type DeploymentStrategy = z.infer<typeof deploymentStrategy>;

/**
 * What a deployment serves: `primaryVersion` takes live traffic; a candidate takes `canaryPercent`
 * of it (canary) or a mirrored copy (shadow); `standbyVersion` is what blue-green switched away from.
 */
export const deploymentSummary = z.object({
  name: z.string(),
  modelName: z.string(),
  primaryVersion: z.int().nullable(),
  standbyVersion: z.int().nullable(),
  candidateVersion: z.int().nullable(),
  candidateMode: candidateMode.nullable(),
  canaryPercent: z.number(),
  strategy: deploymentStrategy,
  logSampleRate: z.number(),
  generation: z.int(),
  createdAt: timestamp,
  createdBy: z.string(),
  updatedAt: timestamp,
});
export type DeploymentSummary = z.infer<typeof deploymentSummary>;

/** One check of a monitor report: a feature's drift against the training data. */
export const driftCheck = z.object({ column: z.string(), psi: z.number().nullable(), ks: z.number().nullable(), passed: z.boolean() });
export type DriftCheck = z.infer<typeof driftCheck>;

/** The detail of a `monitor` or `drift` event, as `monitor.drift` posts it (figures it could not compute are absent). */
export const monitorDetail = z.looseObject({
  rows: z.number().optional(),
  requests: z.number().optional(),
  errors: z.number().optional(),
  errorRate: z.number().nullable().optional(),
  latencyP50Ms: z.number().nullable().optional(),
  latencyP99Ms: z.number().nullable().optional(),
  predictionPsi: z.number().nullable().optional(),
  liveAccuracy: z.number().nullable().optional(),
  labelled: z.number().optional(),
  driftedFeatures: z.array(z.string()).optional(),
  note: z.string().optional().describe('Why drift was not judged (too few rows, …).'),
  reasons: z.array(z.string()).default([]),
  report: z.string().optional().describe('Digest of the full report artifact.'),
  checks: z.array(driftCheck).default([]),
  retrain: z.object({ runId: z.string(), pipeline: z.string(), existing: z.boolean() }).optional(),
});
export type MonitorDetail = z.infer<typeof monitorDetail>;

/** Something that happened to a deployment: rollout, promote, rollback, readiness_failed, traffic, monitor, drift, retrain. */
export const deploymentEvent = z.object({
  id: bigintId,
  deployment: z.string(),
  at: timestamp,
  kind: z.string(),
  version: z.int().nullable(),
  detail: jsonObject,
  actor: z.string(),
});
export type DeploymentEvent = z.infer<typeof deploymentEvent>;

const served = z.object({ version: z.int(), ready: z.boolean() }).nullable();

/** What this API process serves for a deployment. */
export const servingState = z.object({
  primary: served,
  candidate: z.object({ version: z.int(), mode: candidateMode, percent: z.number(), ready: z.boolean() }).nullable(),
  standby: served,
  failed: z.record(z.string(), z.string()).describe('Versions that failed to load, with the reason.'),
});

/** `GET /deployments/{name}` (and what rollout, promote, rollback and patch answer). */
export const deploymentDetail = deploymentSummary.extend({
  ready: z.boolean(),
  serving: servingState,
  events: z.array(deploymentEvent).describe('The latest 50, newest first.'),
});
export type DeploymentDetail = z.infer<typeof deploymentDetail>;

/** `PUT /deployments/{name}`, `POST /deployments/{name}/rollouts`: the deployment and the version rolled out. */
export const deploymentRolledOut = deploymentDetail.extend({ deployedVersion: z.int().positive() });
export type DeploymentRolledOut = z.infer<typeof deploymentRolledOut>;

/** Requests, errors and latency percentiles of one minute, version and role (this process). */
export const minuteStats = z.object({
  minute: timestamp,
  version: z.int(),
  role: z.string().describe('primary, canary or shadow'),
  requests: z.int().nonnegative(),
  errors: z.int().nonnegative(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
});
export type MinuteStats = z.infer<typeof minuteStats>;

/** `POST /deployments/{name}/predict`. */
export const prediction = z.object({
  predictions: z.array(z.union([z.string(), z.number()])).describe('One per instance: a class label, or a number (regression).'),
  probabilities: z.array(z.array(z.number())).nullable().describe("Per instance, each class's probability (in the model's class order); null for regression."),
  modelVersion: z.int(),
  ids: z.array(z.string()).describe('Ids of the logged predictions, for feedback.'),
});
export type Prediction = z.infer<typeof prediction>;

/** `POST /deployments/{name}/feedback`. */
export const feedbackAccepted = z.object({ accepted: z.int().nonnegative() });

/** One line of `GET /deployments/{name}/feedback`: the label given for a prediction id. */
export const feedbackLabel = z.object({ id: z.string(), label: z.union([z.string(), z.number(), z.boolean()]) });
export type FeedbackLabel = z.infer<typeof feedbackLabel>;

/** `GET /deployments/{name}/ready` (200; a 503 when no version is ready carries `serving` too). */
export const deploymentReady = z.object({ ready: z.literal(true), serving: servingState });

/**
 * One chunk of logged predictions (`GET /deployments/{name}/logs`): JSON Lines in the artifact
 * store, one served request a line, with how many requests (sampled or not) and errors it covers.
 */
export const predictionLogChunk = z.object({
  id: bigintId,
  deployment: z.string(),
  artifact: artifactRefSchema,
  rows: z.int().nonnegative(),
  requests: z.int().nonnegative(),
  errors: z.int().nonnegative(),
  firstAt: timestamp,
  lastAt: timestamp,
});
export type PredictionLogChunk = z.infer<typeof predictionLogChunk>;
