import { defineNode } from '../define-node';
import { type MlpModel, mlpToOnnx, trainMlp } from '@kiln/ml/mlp';
import { applyTransform } from '../featurize/transform-spec';
import { iterationLine, lossName, modelRef, readTrainingInputs, stoppingLine, trainingMetrics } from './common';
import { putDenseModel } from './dense-model';
import { asNodeFailure } from '../shared/ml-failure';
import declaration from './mlp.decl';

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const { spec, cols, rows, labels } = await readTrainingInputs(ctx, inputs);
    const started = Date.now();
    const metricName = lossName(spec.task);
    let model: MlpModel;
    try {
      model = await trainMlp(
        { features: applyTransform(spec, cols, rows), labels },
        {
          task: spec.task,
          ...(spec.task === 'multiclass' ? { numClasses: spec.classes!.length } : {}),
          hiddenLayers: p.hiddenLayers,
          activation: p.activation,
          learningRate: p.learningRate,
          ...(p.batchSize !== undefined ? { batchSize: p.batchSize } : {}),
          maxEpochs: p.epochs,
          l2: p.l2,
          dropout: p.dropout,
          seed: p.seed,
          earlyStopping: p.earlyStopping,
          validationFraction: p.validationFraction,
          patience: p.patience,
        },
        {
          signal: ctx.signal,
          onProgress: (epoch, loss, valid) => {
            ctx.progress({ epoch, iteration: epoch, loss, metric: valid ?? null, metricName, of: p.epochs });
            ctx.log.info(iterationLine('epoch', epoch, p.epochs, loss, valid, metricName));
          },
        },
      );
    } catch (error) {
      throw asNodeFailure(error);
    }
    const trainSeconds = (Date.now() - started) / 1000;
    ctx.log.info(stoppingLine('epoch', model.history.length, p.epochs, model.bestEpoch, trainSeconds));
    const { bytes, artifact } = await putDenseModel(ctx, spec, 'multilayer perceptron', (o) => mlpToOnnx(model, o), {
      bestEpoch: model.bestEpoch,
    });
    const best = model.history[model.bestEpoch - 1] ?? model.history[model.history.length - 1];
    const values = {
      best_epoch: model.bestEpoch,
      epochs_run: model.history.length,
      train_loss: best?.trainLoss ?? null,
      valid_metric: best?.validMetric ?? null,
      train_rows: rows.length,
      train_seconds: trainSeconds,
      model_bytes: bytes.length,
    };
    const metrics = await trainingMetrics(ctx, spec.task, values, { metric: metricName, params: p, history: model.history });
    return { outputs: { model: modelRef(spec, artifact), metrics } };
  },
});
