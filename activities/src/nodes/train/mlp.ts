import { z } from 'zod';
import { defineNode } from '../../define-node';
import { type MlpModel, mlpToOnnx, trainMlp } from '../../ml/mlp';
import { serializeModel } from '../../ml/onnx/model-builder';
import { applyTransform } from '../featurize/transform-spec';
import { asNodeFailure, modelRef, putOnnx, readTrainingInputs, trainingMetrics } from './common';
import { classLabelsOf, FEATURES_INPUT, withRawInputs } from './onnx-pipeline';

const params = z.strictObject({
  hiddenLayers: z
    .array(z.number().int().positive().max(4096))
    .max(16)
    .default([100])
    .describe('Units per hidden layer, input side first ([] is a linear model).'),
  activation: z.enum(['relu', 'tanh']).default('relu').describe('Activation of the hidden layers.'),
  learningRate: z.number().positive().max(10).default(0.001).describe('Adam step size.'),
  batchSize: z.number().int().positive().optional().describe('Rows per mini-batch (default min(200, rows)).'),
  epochs: z.number().int().positive().max(100_000).default(200).describe('Epochs at most.'),
  l2: z.number().min(0).default(0.0001).describe('L2 penalty on the weights (scikit-learn’s alpha).'),
  dropout: z.number().min(0).lt(1).default(0).describe('Dropout rate on hidden units while training.'),
  earlyStopping: z
    .boolean()
    .default(true)
    .describe(
      'Hold out validationFraction of the rows and keep the best epoch, stopping after `patience` epochs without improvement.',
    ),
  validationFraction: z.number().gt(0).lt(1).default(0.1).describe('Held-out fraction for early stopping.'),
  patience: z.number().int().positive().default(10).describe('Epochs without improvement before stopping.'),
  seed: z
    .number()
    .int()
    .default(0)
    .describe('Seed of initialisation, shuffling, dropout and the validation split.'),
});

export default defineNode({
  type: 'train.mlp',
  version: 1,
  category: 'train',
  capabilities: [],
  title: 'Train a neural network (MLP)',
  description:
    'Trains a multilayer perceptron (Adam on mini-batches; sigmoid, softmax or identity output) with optional ' +
    'early stopping on a held-out validation split, reporting progress every epoch, and exports one ONNX model ' +
    'that takes the raw columns and applies the preprocessing inside the graph (same ports and outputs as train.gbdt).',
  inputs: { train: 'Dataset', transform: 'Transform' },
  outputs: { model: 'Model', metrics: 'Metrics' },
  params,
  run: async (ctx, inputs, p) => {
    const { spec, cols, rows, labels } = await readTrainingInputs(ctx, inputs);
    const started = Date.now();
    const metricName =
      spec.task === 'regression' ? 'l2' : spec.task === 'binary' ? 'logloss' : 'multi_logloss';
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
          onProgress: (epoch, loss, valid) =>
            ctx.progress({ epoch, iteration: epoch, loss, metric: valid ?? null, metricName, of: p.epochs }),
        },
      );
    } catch (error) {
      throw asNodeFailure(error);
    }
    const trainSeconds = (Date.now() - started) / 1000;
    const classLabels = classLabelsOf(spec);
    const onnx = mlpToOnnx(model, {
      inputName: FEATURES_INPUT,
      featureNames: spec.outputFeatures,
      docString: `Kiln multilayer perceptron (${spec.task}) predicting ${spec.target} from raw columns`,
      ...(classLabels ? { classLabels } : {}),
    });
    const bytes = serializeModel(withRawInputs(spec, onnx));
    const artifact = await putOnnx(ctx, bytes, {
      task: spec.task,
      target: spec.target,
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
