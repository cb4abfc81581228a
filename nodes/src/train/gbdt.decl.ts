import { z } from 'zod';
import { declareNode } from '../define-node';

const params = z.strictObject({
  numIterations: z.number().int().positive().max(100_000).default(300).describe('Boosting iterations (upper bound with early stopping).'),
  learningRate: z.number().positive().max(1).default(0.1).describe('Shrinkage applied to every tree.'),
  maxLeaves: z.number().int().min(2).max(4096).default(31).describe('Leaves per tree (grown best-first).'),
  maxDepth: z.number().int().default(-1).describe('Depth limit; -1 for none.'),
  minDataInLeaf: z.number().int().positive().default(20).describe('Minimum rows in a leaf.'),
  lambdaL2: z.number().min(0).default(0).describe('L2 regularisation on leaf values.'),
  featureFraction: z.number().gt(0).max(1).default(1).describe('Fraction of features each tree may use.'),
  baggingFraction: z.number().gt(0).max(1).default(1).describe('Fraction of rows each iteration trains on.'),
  maxBins: z.number().int().min(2).max(255).default(255).describe('Histogram bins per feature.'),
  validationFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.15)
    .describe('Fraction of the training split held out for early stopping.'),
  earlyStoppingRounds: z
    .number()
    .int()
    .min(0)
    .default(20)
    .describe('Stop when the validation metric has not improved for this many iterations (0: off).'),
  seed: z.number().int().default(0).describe('Seed of the validation split and of sampling.'),
});

export default declareNode({
  type: 'train.gbdt',
  version: 1,
  category: 'train',
  capabilities: [],
  deterministic: true,
  // Histograms are built on up to 8 threads for large data (the trainer's own cap); on a smaller
  // worker this holds all its cores, and small data gives back all but one.
  resources: { cpu: 8 },
  title: 'Train gradient-boosted trees',
  description:
    'Trains a histogram gradient-boosted tree model (binary, multiclass or regression) with early stopping on a ' +
    'validation split carved from train, and exports one ONNX model that takes the raw columns and applies the ' +
    'preprocessing inside the graph.',
  inputs: { train: 'Dataset', transform: 'Transform' },
  outputs: { model: 'Model', metrics: 'Metrics' },
  params,
});
