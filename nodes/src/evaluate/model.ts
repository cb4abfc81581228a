import { ONNX_MEDIA_TYPE, type MetricsValue, type ModelValue } from '@kiln/engine';
import { classificationReport, regressionReport } from '@kiln/ml/metrics';
import { MetricsInputError } from '@kiln/ml/metrics/validate';
import type { ArtifactRef } from '@kiln/artifacts/artifact-store';
import { NodeFailure, defineNode } from '../define-node';
import { cellNumber } from '@kiln/ml/preprocess/column-data';
import { putJson, readColumns } from '../shared/tabular';
import { ModelLoadError } from '@kiln/serving/errors';
import { ModelSession } from '@kiln/serving/model-session';
import type { Columns } from '../shared/tabular';
import { featureFeeds } from './feeds';
import declaration from './model.decl';

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const model = inputs.model;
    const artifact: ArtifactRef = model.artifact;
    if (artifact.mediaType !== ONNX_MEDIA_TYPE) {
      throw new NodeFailure(
        `model artifact ${artifact.digest} has media type ${JSON.stringify(artifact.mediaType)}, not ${ONNX_MEDIA_TYPE}: ` +
          'evaluate.model scores ONNX models only',
        { type: 'NotOnnx', retryable: false },
      );
    }
    const session = await openModel(await ctx.store.get(artifact.digest), model, `model artifact ${artifact.digest}`);
    const predicted: (string | number)[] = [];
    const proba: number[] = [];
    // Latency per row, batch 1 and batch 256, over the first rows (after one warm-up call).
    const latency: Record<string, number | null> = { batch1_ms_per_row: null, batch256_ms_per_row: null };
    let cols: Columns;
    let targetValues: Columns['values'][string] | undefined;
    try {
      cols = await readColumns(ctx.store, inputs.dataset);
      targetValues = cols.values[model.target];
      if (!targetValues) {
        throw new NodeFailure(`the dataset has no target column "${model.target}" to evaluate against`, {
          type: 'BadInput',
          retryable: false,
        });
      }
      const n = cols.rowCount;
      if (n === 0) throw new NodeFailure('the dataset has no rows to evaluate', { type: 'BadInput', retryable: false });
      for (let start = 0; start < n; start += p.batchSize) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const rows = Array.from({ length: Math.min(p.batchSize, n - start) }, (_, i) => start + i);
        const out = await predict(session, model, cols, rows);
        predicted.push(...out.predictions);
        if (out.probabilities) for (const x of out.probabilities) proba.push(x);
        ctx.progress({ rows: start + rows.length, of: n });
      }
      if (p.latencyRows > 0) {
        const m = Math.min(p.latencyRows, n);
        await predict(session, model, cols, [0]);
        let t = performance.now();
        for (let r = 0; r < m; r++) await predict(session, model, cols, [r]);
        latency.batch1_ms_per_row = (performance.now() - t) / m;
        const big = Array.from({ length: 256 }, (_, i) => i % n);
        const reps = Math.max(1, Math.ceil(m / 256));
        t = performance.now();
        for (let k = 0; k < reps; k++) await predict(session, model, cols, big);
        latency.batch256_ms_per_row = (performance.now() - t) / (reps * 256);
      }
    } finally {
      await session.close();
    }
    const n = cols.rowCount;

    let metrics: Record<string, unknown>;
    let full: unknown;
    try {
      if (model.task === 'regression') {
        const yTrue = targetValues.map((v) => cellNumber(v));
        const report = regressionReport({ yTrue, yPred: predicted as number[] });
        metrics = { ...report.metrics };
        full = report;
      } else {
        const classes = model.classes!;
        const byText = new Map(classes.map((c) => [String(c), c]));
        const yTrue = targetValues.map((v, r) => {
          const c = byText.get(String(v));
          if (c === undefined) {
            throw new NodeFailure(`row ${r + 1}: target value ${JSON.stringify(v)} is not a class the model knows (${classes.join(', ')})`, {
              type: 'BadInput',
              retryable: false,
            });
          }
          return c;
        });
        const report = classificationReport({ classes, yTrue, yPred: predicted, proba });
        metrics = { ...report.metrics, ...(report.positive_rate === undefined ? {} : { positive_rate: report.positive_rate }) };
        full = report;
      }
    } catch (error) {
      if (error instanceof MetricsInputError) throw new NodeFailure(error.message, { type: 'BadInput', retryable: false });
      throw error;
    }
    const values = { ...metrics, ...latency, model_bytes: artifact.size, rows: n } as Record<string, number | null>;
    ctx.log.info(`evaluated on ${n} rows: ${Object.entries(values).map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`).join(', ')}`);
    const reportRef = await putJson(ctx.store, {
      kind: 'kiln.evaluation-report/v1',
      task: model.task,
      model: artifact,
      dataset: inputs.dataset.artifact,
      values,
      report: full,
      ...(p.includePredictions ? { predictions: { predicted, proba: model.task === 'regression' ? null : proba } } : {}),
    });
    const out: MetricsValue = { task: model.task, values, report: reportRef };
    return { outputs: { metrics: out, report: { artifact: reportRef, summary: values } } };
  },
});

/** Opens the model's session (the code that serves models runs it), failing clearly on bytes that are not it. */
async function openModel(bytes: Uint8Array, model: ModelValue, what: string): Promise<ModelSession> {
  try {
    return await ModelSession.open(bytes, model);
  } catch (error) {
    if (!(error instanceof ModelLoadError)) throw error;
    throw new NodeFailure(error.notOnnx ? `${what} is ${error.message}` : `${what}: ${error.message}`, {
      type: error.notOnnx ? 'NotOnnx' : 'BadInput',
      retryable: false,
    });
  }
}

/** The model's predictions for some rows of the dataset. */
function predict(session: ModelSession, model: ModelValue, cols: Columns, rows: readonly number[]) {
  return session.predict(rows.length, featureFeeds(model, cols, rows));
}
