import { z } from 'zod';
import { declareNode } from '../define-node';

const params = z.strictObject({
  trainer: z.enum(['gbdt', 'linear', 'mlp']).default('gbdt').describe('Which trainer (train.gbdt, train.linear, train.mlp).'),
  params: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('The trainer\'s params (in a search: {"$item": ""}, the trial\'s param set).'),
  cvFolds: z.number().int().min(0).max(20).default(5).describe('Folds of cross-validation (0: none, train only).'),
  seed: z.number().int().default(0).describe('Seed of the fold assignment (stratified by class).'),
});

export default declareNode({
  type: 'train.cv',
  version: 1,
  category: 'train',
  capabilities: [],
  deterministic: true,
  title: 'Train with k-fold cross-validation',
  description:
    'Runs train.gbdt, train.linear or train.mlp with the given params under k-fold cross-validation (each fold ' +
    'refits the preprocessing on its own training rows and is scored by evaluate.model on its held-out rows; `cv_<metric>` is the mean over folds, `cv_<metric>_std` the ' +
    'spread), then trains the final model on every row. The trial node of a hyperparameter search.',
  inputs: { train: 'Dataset', transform: 'Transform' },
  outputs: { model: 'Model', metrics: 'Metrics' },
  params,
});
