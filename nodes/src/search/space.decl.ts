import { z } from 'zod';
import { declareNode } from '../define-node';

export const range = z.strictObject({
  min: z.number().describe('Lower bound.'),
  max: z.number().describe('Upper bound.'),
  log: z.boolean().default(false).describe('Sample uniformly in log space (both bounds > 0).'),
  int: z.boolean().default(false).describe('Round to an integer.'),
  steps: z.number().int().min(2).max(100).default(3).describe('Grid points between min and max (grid search).'),
});

const dimension = z.union([z.array(z.union([z.number(), z.string(), z.boolean()])).min(1), range]);

const params = z.strictObject({
  trainer: z.enum(['gbdt', 'linear', 'mlp']).default('gbdt').describe('The trainer the trials are for (recorded in each trial).'),
  search: z.enum(['grid', 'random']).default('grid').describe('Every combination (grid) or `trials` random draws.'),
  space: z
    .record(z.string(), dimension)
    .refine((s) => Object.keys(s).length > 0, 'the space needs at least one parameter')
    .describe('Per trainer param: a list of values, or a range {min, max, log, int, steps}.'),
  fixed: z.record(z.string(), z.unknown()).default({}).describe('Params every trial gets as they are.'),
  trials: z.number().int().positive().max(10_000).default(10).describe('Random draws (random search).'),
  maxTrials: z.number().int().positive().max(10_000).default(1000).describe('Refuse grids larger than this.'),
  seed: z.number().int().default(0).describe('Seed of the random draws.'),
});

export default declareNode({
  type: 'search.space',
  version: 1,
  category: 'search',
  capabilities: [],
  light: true,
  title: 'Hyperparameter search space',
  description:
    'Expands a search space (grid: every combination; random: seeded draws) into the list of trial param sets. ' +
    'Map a trainer node over its `trials` output with {"$item": "<param>"} params, then keep the best with search.select.',
  inputs: {},
  outputs: { trials: 'Json' },
  params,
});
