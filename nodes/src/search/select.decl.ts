import { z } from 'zod';
import { declareNode } from '../define-node';

const params = z.strictObject({
  metric: z.string().min(1).describe('The value in each trial\'s metrics to rank by (e.g. "cv_roc_auc", "valid_metric").'),
  mode: z.enum(['max', 'min']).default('max').describe('Whether higher (max) or lower (min) is better.'),
  trials: z.array(z.record(z.string(), z.unknown())).optional().describe('The trial param sets, to name them in the leaderboard.'),
});

export default declareNode({
  type: 'search.select',
  version: 1,
  category: 'search',
  capabilities: [],
  light: true,
  title: 'Select the best trial',
  description:
    'Takes the per-trial `metrics` and `model` lists of a mapped trainer node (a hyperparameter search), ranks the ' +
    'trials by one metric and outputs the best trial\'s model and metrics, and a leaderboard.',
  inputs: { metrics: 'Metrics', model: 'Model' },
  outputs: { model: 'Model', metrics: 'Metrics', leaderboard: 'Json' },
  params,
});
