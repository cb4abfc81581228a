import { trainBooster } from '@kiln/ml/gbdt/train';
import { trainingThreads } from '@kiln/ml/gbdt/threads';
import { defineNode } from '../define-node';
import { applyTransform, encodeTarget, type TransformSpec } from '../featurize/transform-spec';
import { splitRows } from '../featurize/tabular';
import { readColumns } from '../shared/tabular';
import { iterationLine, lossName, modelRef, putOnnx, readTransform, stoppingLine, trainingMetrics } from './common';
import { pipelineToOnnx } from '@kiln/ml/onnx/preprocessing';
import { asNodeFailure, failingAsNode } from '../shared/ml-failure';
import declaration from './gbdt.decl';

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const spec: TransformSpec = await readTransform(ctx, inputs.transform);
    const cols = await readColumns(ctx.store, inputs.train);
    const all = Array.from({ length: cols.rowCount }, (_, i) => i);
    const labelsAll = encodeTarget(spec, cols, all);
    let split: { train: number[]; test: number[] };
    try {
      split = splitRows(cols.rowCount, p.validationFraction, p.seed, spec.classes ? Array.from(labelsAll, String) : undefined);
    } catch {
      split = splitRows(cols.rowCount, p.validationFraction, p.seed);
    }
    const useValid = p.earlyStoppingRounds > 0;
    const trainRows = useValid ? split.train : all;
    const pick = (rows: number[]) => Float64Array.from(rows, (r) => labelsAll[r]!);
    const objective = spec.task;
    const metricName = lossName(objective);
    const started = Date.now();
    let booster;
    try {
      const features = applyTransform(spec, cols, trainRows);
      // The trainer's threads within the cores this attempt holds; the rest go back to the worker.
      const numThreads = trainingThreads(0, trainRows.length * features.length, ctx.cpus);
      ctx.keepCores(numThreads);
      booster = await trainBooster(
        { features, labels: pick(trainRows) },
        {
          numThreads,
          objective,
          ...(objective === 'multiclass' ? { numClasses: spec.classes!.length } : {}),
          numIterations: p.numIterations,
          learningRate: p.learningRate,
          maxLeaves: p.maxLeaves,
          maxDepth: p.maxDepth,
          minDataInLeaf: p.minDataInLeaf,
          lambdaL2: p.lambdaL2,
          featureFraction: p.featureFraction,
          baggingFraction: p.baggingFraction,
          maxBins: p.maxBins,
          seed: p.seed,
          ...(useValid ? { earlyStoppingRounds: p.earlyStoppingRounds } : {}),
        },
        {
          ...(useValid ? { valid: { features: applyTransform(spec, cols, split.test), labels: pick(split.test) } } : {}),
          signal: ctx.signal,
          onProgress: (iteration, loss, metric) => {
            ctx.progress({ iteration, loss, metric: metric ?? null, metricName, of: p.numIterations });
            ctx.log.info(iterationLine('iteration', iteration, p.numIterations, loss, metric, metricName));
          },
        },
      );
    } catch (error) {
      throw asNodeFailure(error);
    }
    const trainSeconds = (Date.now() - started) / 1000;
    ctx.log.info(stoppingLine('iteration', booster.history.length, p.numIterations, booster.bestIteration, trainSeconds));
    const bytes = failingAsNode(() => pipelineToOnnx(spec, booster));
    const artifact = await putOnnx(ctx, bytes, { task: spec.task, target: spec.target, iterations: booster.bestIteration });
    const last = booster.history[booster.bestIteration - 1] ?? booster.history[booster.history.length - 1];
    const importance = booster.featureImportance('gain');
    const values = {
      best_iteration: booster.bestIteration,
      iterations_run: booster.history.length,
      train_loss: last?.trainLoss ?? null,
      valid_metric: last?.validMetric ?? null,
      train_rows: trainRows.length,
      valid_rows: useValid ? split.test.length : 0,
      train_seconds: trainSeconds,
      model_bytes: bytes.length,
    };
    const metrics = await trainingMetrics(ctx, spec.task, values, {
      metric: metricName,
      params: p,
      history: booster.history,
      featureImportance: spec.outputFeatures
        .map((name, i) => ({ feature: name, gain: importance[i]! }))
        .sort((a, b) => b.gain - a.gain),
    });
    return { outputs: { model: modelRef(spec, artifact), metrics } };
  },
});
