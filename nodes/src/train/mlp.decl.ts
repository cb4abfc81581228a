import { z } from 'zod';
import { declareNode } from '../define-node';

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

export default declareNode({
  type: 'train.mlp',
  version: 1,
  category: 'train',
  capabilities: [],
  deterministic: true,
  title: 'Train a neural network (MLP)',
  description:
    'Trains a multilayer perceptron (Adam on mini-batches; sigmoid, softmax or identity output) with optional ' +
    'early stopping on a held-out validation split, reporting progress every epoch, and exports one ONNX model ' +
    'that takes the raw columns and applies the preprocessing inside the graph (same ports and outputs as train.gbdt).',
  inputs: { train: 'Dataset', transform: 'Transform' },
  outputs: { model: 'Model', metrics: 'Metrics' },
  params,
});
