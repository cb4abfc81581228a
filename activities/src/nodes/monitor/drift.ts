import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import type { DatasetRef } from '../../data/dataset-ref';
import { driftChecks } from '../shared/drift';
import { type Cell, type Columns, putJson, readColumns } from '../shared/tabular';
import { type LoggedPrediction, quantile, readPredictionLogs } from './prediction-logs';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const params = z.strictObject({
  deployment: z.string().regex(NAME).describe('The deployment to watch.'),
  windowMinutes: z.number().positive().max(7 * 24 * 60).default(60).describe('How far back production traffic is compared; also the period of at most one retraining start.'),
  minRows: z.number().int().min(1).default(100).describe('Fewest logged predictions needed to judge drift (fewer: the report says so and nothing starts).'),
  psiThreshold: z.number().positive().default(0.2).describe('A feature drifts when its PSI against the training data exceeds this.'),
  ksThreshold: z.number().positive().max(1).default(0.2).describe('…or when its Kolmogorov–Smirnov statistic exceeds this (numeric features).'),
  maxDriftedFeatures: z.number().int().min(0).default(0).describe('Drift is declared when more features than this drift.'),
  predictionPsiThreshold: z.number().positive().default(0.2).describe('Prediction drift: PSI of the predicted classes against the training labels (classification).'),
  maxLatencyP99Ms: z.number().positive().optional().describe('Also trigger when p99 inference latency exceeds this.'),
  maxErrorRate: z.number().min(0).max(1).optional().describe('Also trigger when the share of failed requests exceeds this.'),
  minAccuracy: z.number().min(0).max(1).optional().describe('Also trigger when live accuracy (from feedback labels) falls below this.'),
  retrain: z
    .strictObject({
      pipeline: z.string().min(1).describe('The pipeline (name) to start when drift is found.'),
      params: z.record(z.string(), z.unknown()).default({}).describe('Its run parameters.'),
    })
    .optional()
    .describe('What to start, with trigger "drift", at most once per window.'),
});

interface ModelVersionView {
  version: number;
  model: { task: 'binary' | 'multiclass' | 'regression'; target: string; features: { name: string }[] };
  reference: DatasetRef | null;
}

/** Logged inputs as columns, typed like the reference's. */
function loggedColumns(rows: LoggedPrediction[], reference: Columns, names: string[]): Columns {
  const values: Record<string, Cell[]> = {};
  for (const name of names) {
    const numeric = reference.types[name] === 'int' || reference.types[name] === 'float';
    values[name] = rows.map((r) => {
      const v = r.input[name];
      if (v === null || v === undefined) return null;
      if (numeric) return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.isFinite(Number(v)) ? Number(v) : null;
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    });
  }
  return { names, types: reference.types, values, rowCount: rows.length };
}

export default defineNode({
  type: 'monitor.drift',
  version: 1,
  category: 'monitor',
  capabilities: ['kiln-api'],
  title: 'Monitor drift',
  description:
    'Compares a window of a deployment’s logged production inputs with the training data of the version serving it ' +
    '(PSI and KS per feature, prediction drift), and checks latency, error rate and live accuracy from feedback. ' +
    'Writes a report; when a threshold is crossed it starts the retraining pipeline with trigger "drift", at most once per window.',
  inputs: {},
  outputs: { report: 'Report', result: 'Json' },
  params,
  run: async (ctx, _inputs, p) => {
    const api = ctx.api();
    const path = `/deployments/${encodeURIComponent(p.deployment)}`;
    const deployment = await api.request<{ modelName: string; primaryVersion: number | null }>('GET', path);
    if (deployment.primaryVersion === null) throw new NodeFailure(`deployment "${p.deployment}" serves no version yet`, { type: 'NotDeployed', retryable: false });
    const version = await api.request<ModelVersionView>('GET', `/models/${encodeURIComponent(deployment.modelName)}/versions/${deployment.primaryVersion}`);
    if (!version.reference) {
      throw new NodeFailure(
        `version ${version.version} of model "${deployment.modelName}" has no training data recorded; deploy it with deploy.model's "data" input connected`,
        { type: 'NoReference', retryable: false },
      );
    }
    const windowMs = p.windowMinutes * 60_000;
    const windowStart = new Date(Math.floor(Date.now() / windowMs) * windowMs);
    const since = new Date(Date.now() - windowMs);
    ctx.progress({ message: `reading ${p.deployment}'s predictions since ${since.toISOString()}` });
    const window = await readPredictionLogs(api, ctx.store, p.deployment, since);
    const rows = window.rows.filter((r) => r.role !== 'shadow' && r.version === version.version);
    const reasons: string[] = [];
    const figures: Record<string, unknown> = { rows: rows.length, requests: window.requests, errors: window.errors };

    const errorRate = window.requests ? window.errors / window.requests : 0;
    figures.errorRate = errorRate;
    if (p.maxErrorRate !== undefined && window.requests > 0 && errorRate > p.maxErrorRate) reasons.push(`error rate ${(errorRate * 100).toFixed(2)}% > ${(p.maxErrorRate * 100).toFixed(2)}%`);
    const p99 = quantile(rows.map((r) => r.latencyMs), 0.99);
    figures.latencyP50Ms = quantile(rows.map((r) => r.latencyMs), 0.5);
    figures.latencyP99Ms = p99;
    if (p.maxLatencyP99Ms !== undefined && p99 !== null && p99 > p.maxLatencyP99Ms) reasons.push(`p99 latency ${p99.toFixed(2)} ms > ${p.maxLatencyP99Ms} ms`);

    let checks: ReturnType<typeof driftChecks> = [];
    if (rows.length >= p.minRows) {
      const reference = await readColumns(ctx.store, version.reference);
      const features = version.model.features.map((f) => f.name).filter((n) => reference.values[n]);
      checks = driftChecks(loggedColumns(rows, reference, features), reference, version.reference.stats, { psiThreshold: p.psiThreshold, ksThreshold: p.ksThreshold });
      const target = version.model.target;
      if (version.model.task !== 'regression' && reference.values[target]) {
        const predicted: Columns = { names: [target], types: reference.types, values: { [target]: rows.map((r) => r.prediction) }, rowCount: rows.length };
        const [prediction] = driftChecks(predicted, reference, version.reference.stats, { columns: [target], psiThreshold: p.predictionPsiThreshold, ksThreshold: 1 });
        if (prediction) {
          figures.predictionPsi = prediction.psi;
          if (!prediction.passed) reasons.push(`prediction drift: PSI ${(prediction.psi as number).toFixed(4)} of predicted "${target}" > ${p.predictionPsiThreshold}`);
        }
      }
      const drifted = checks.filter((c) => !c.passed);
      figures.driftedFeatures = drifted.map((c) => c.column);
      if (drifted.length > p.maxDriftedFeatures) reasons.push(`${drifted.length} feature(s) drifted: ${drifted.map((c) => c.message).join('; ')}`);
    } else {
      figures.note = `${rows.length} logged predictions in the window; drift needs at least ${p.minRows}`;
    }

    if (p.minAccuracy !== undefined && version.model.task !== 'regression') {
      const labels = await api.request<{ id: string; label: unknown }[]>('GET', `${path}/feedback?since=${encodeURIComponent(since.toISOString())}`);
      const byId = new Map(labels.map((l) => [l.id, String(l.label)]));
      const judged = rows.filter((r) => byId.has(r.id));
      if (judged.length > 0) {
        const accuracy = judged.filter((r) => String(r.prediction) === byId.get(r.id)).length / judged.length;
        figures.liveAccuracy = accuracy;
        figures.labelled = judged.length;
        if (accuracy < p.minAccuracy) reasons.push(`live accuracy ${accuracy.toFixed(4)} < ${p.minAccuracy} over ${judged.length} labelled predictions`);
      }
    }

    const drifted = reasons.length > 0;
    let retrain: { runId: string; existing: boolean; pipeline: string } | null = null;
    if (drifted && p.retrain) {
      const pipelines = await api.request<{ id: string; name: string }[]>('GET', `/pipelines`);
      const target = pipelines.find((x) => x.name === p.retrain!.pipeline);
      if (!target) throw new NodeFailure(`retraining pipeline "${p.retrain.pipeline}" not found`, { type: 'BadParams', retryable: false });
      const started = await api.request<{ runId: string; existing?: boolean }>('POST', `${path}/retrain`, {
        pipelineId: target.id,
        params: p.retrain.params,
        key: windowStart.toISOString(),
        reason: reasons.join('; ').slice(0, 5000),
      });
      retrain = { runId: started.runId, existing: Boolean(started.existing), pipeline: p.retrain.pipeline };
    }
    const result = { deployment: p.deployment, version: version.version, windowStart, since, drifted, reasons, figures, retrain };
    const report = await putJson(ctx.store, { kind: 'kiln.drift-report/v1', ...result, checks });
    await api.request('POST', `${path}/events`, {
      kind: drifted ? 'drift' : 'monitor',
      version: version.version,
      detail: { ...figures, reasons, report: report.digest, checks: checks.map((c) => ({ column: c.column, psi: c.psi ?? null, ks: c.ks ?? null, passed: c.passed })), ...(retrain ? { retrain } : {}) },
    });
    return { outputs: { report, result } };
  },
});
