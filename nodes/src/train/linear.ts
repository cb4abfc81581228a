import { defineNode } from '../define-node';
import { linearToOnnx, type LinearModel, trainLogistic, trainRidge } from '@kiln/ml/linear';
import { applyTransform } from '../featurize/transform-spec';
import { iterationLine, lossName, modelRef, readTrainingInputs, trainingMetrics } from './common';
import { putDenseModel } from './dense-model';
import { asNodeFailure } from '../shared/ml-failure';
import declaration from './linear.decl';

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const { spec, cols, rows, labels } = await readTrainingInputs(ctx, inputs);
    const started = Date.now();
    const metricName = lossName(spec.task);
    const of = p.maxIterations ?? (spec.task === 'binary' ? 100 : spec.task === 'multiclass' ? 1000 : 1);
    const options = {
      signal: ctx.signal,
      onProgress: (iteration: number, loss: number) => {
        ctx.progress({ iteration, loss, metric: null, metricName, of });
        ctx.log.info(iterationLine('iteration', iteration, of, loss, undefined, metricName));
      },
    };
    let model: LinearModel;
    try {
      const data = { features: applyTransform(spec, cols, rows), labels };
      model =
        spec.task === 'regression'
          ? await trainRidge(data, { l2: p.alpha }, options)
          : await trainLogistic(
              data,
              {
                task: spec.task,
                ...(spec.task === 'multiclass' ? { numClasses: spec.classes!.length } : {}),
                l2: 1 / p.C,
                ...(p.maxIterations !== undefined ? { maxIterations: p.maxIterations } : {}),
              },
              options,
            );
    } catch (error) {
      throw asNodeFailure(error);
    }
    const trainSeconds = (Date.now() - started) / 1000;
    const { bytes, artifact } = await putDenseModel(ctx, spec, 'linear model', (o) => linearToOnnx(model, o), {
      iterations: model.iterations,
    });
    const last = model.history[model.history.length - 1];
    const values = {
      iterations: model.iterations,
      converged: model.converged ? 1 : 0,
      train_loss: last?.loss ?? null,
      train_rows: rows.length,
      train_seconds: trainSeconds,
      model_bytes: bytes.length,
    };
    const d = model.numFeatures;
    const metrics = await trainingMetrics(ctx, spec.task, values, {
      metric: metricName,
      params: p,
      history: model.history,
      coefficients: spec.outputFeatures.map((name, j) => ({
        feature: name,
        coef: Array.from({ length: model.numOutputs }, (_, k) => model.coef[k * d + j]!),
      })),
      intercept: model.intercept,
    });
    return { outputs: { model: modelRef(spec, artifact), metrics } };
  },
});
