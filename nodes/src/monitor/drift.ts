import type { DeploymentDetail, FeedbackLabel, MonitorDetail, ModelVersionDetail, PipelineSummary, RunStarted } from '@kiln/api-types';
import { NodeFailure, defineNode } from '../define-node';
import { driftChecks } from '../shared/drift';
import { type Cell, type Columns, putJson, readColumns } from '../shared/tabular';
import { type LoggedPrediction, quantile, readPredictionLogs } from './prediction-logs';
import declaration from './drift.decl';

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
  ...declaration,
  run: async (ctx, _inputs, p) => {
    const api = ctx.api();
    const path = `/deployments/${encodeURIComponent(p.deployment)}`;
    const deployment = await api.request<DeploymentDetail>('GET', path);
    if (deployment.primaryVersion === null) throw new NodeFailure(`deployment "${p.deployment}" serves no version yet`, { type: 'NotDeployed', retryable: false });
    const version = await api.request<ModelVersionDetail>('GET', `/models/${encodeURIComponent(deployment.modelName)}/versions/${deployment.primaryVersion}`);
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
    // The monitor event's figures (@kiln/api-types' monitorDetail, which the studio reads).
    const figures: Omit<MonitorDetail, 'reasons' | 'checks' | 'report' | 'retrain'> = { rows: rows.length, requests: window.requests, errors: window.errors };

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
      const labels = await api.request<FeedbackLabel[]>('GET', `${path}/feedback?since=${encodeURIComponent(since.toISOString())}`);
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
      const pipelines = await api.request<PipelineSummary[]>('GET', `/pipelines`);
      const target = pipelines.find((x) => x.name === p.retrain!.pipeline);
      if (!target) throw new NodeFailure(`retraining pipeline "${p.retrain.pipeline}" not found`, { type: 'BadParams', retryable: false });
      const started = await api.request<RunStarted>('POST', `${path}/retrain`, {
        pipelineId: target.id,
        params: p.retrain.params,
        key: windowStart.toISOString(),
        reason: reasons.join('; ').slice(0, 5000),
      });
      retrain = { runId: started.runId, existing: Boolean(started.existing), pipeline: p.retrain.pipeline };
    }
    // Plain JSON (times as ISO strings): `result` is a Json port value.
    const result = { deployment: p.deployment, version: version.version, windowStart: windowStart.toISOString(), since: since.toISOString(), drifted, reasons, figures, retrain };
    const report = await putJson(ctx.store, { kind: 'kiln.drift-report/v1', ...result, checks });
    await api.request('POST', `${path}/events`, {
      kind: drifted ? 'drift' : 'monitor',
      version: version.version,
      detail: { ...figures, reasons, report: report.digest, checks: checks.map((c) => ({ column: c.column ?? '', psi: typeof c.psi === 'number' ? c.psi : null, ks: typeof c.ks === 'number' ? c.ks : null, passed: c.passed })), ...(retrain ? { retrain } : {}) } satisfies MonitorDetail,
    });
    return { outputs: { report: { artifact: report, summary: { drifted, reasons, ...figures } }, result } };
  },
});
