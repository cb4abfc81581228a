import { z } from 'zod';
import { declareNode } from '../define-node';

const params = z.strictObject({
  C: z
    .number()
    .positive()
    .default(1)
    .describe('Inverse L2 strength for logistic / softmax regression (classification), as scikit-learn’s C.'),
  alpha: z
    .number()
    .min(0)
    .default(1)
    .describe('L2 strength of ridge regression (regression tasks), as scikit-learn’s alpha.'),
  maxIterations: z
    .number()
    .int()
    .positive()
    .max(100_000)
    .optional()
    .describe(
      'Solver iterations at most (default: 100 Newton steps for binary, 1000 L-BFGS steps for multiclass).',
    ),
});

export default declareNode({
  type: 'train.linear',
  version: 1,
  category: 'train',
  capabilities: [],
  deterministic: true,
  title: 'Train a linear model',
  description:
    'Trains logistic (binary) or softmax (multiclass) regression with an L2 penalty (C), or ridge regression ' +
    '(alpha) for a regression target, on the transformed training set, and exports one ONNX model that takes the ' +
    'raw columns and applies the preprocessing inside the graph (same ports and outputs as train.gbdt).',
  inputs: { train: 'Dataset', transform: 'Transform' },
  outputs: { model: 'Model', metrics: 'Metrics' },
  params,
});
