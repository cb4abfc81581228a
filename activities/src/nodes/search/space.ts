// search.space: the trial list of a hyperparameter search. Its `trials` output is the list a mapped
// trainer node iterates over (`map: {items: {"$output": "<this node>.trials"}}`, params
// `{"$item": "<param>"}`); search.select then keeps the best trial. See examples/churn-search.
import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import { rng } from '../shared/tabular';

const range = z.strictObject({
  min: z.number().describe('Lower bound.'),
  max: z.number().describe('Upper bound.'),
  log: z.boolean().default(false).describe('Sample uniformly in log space (both bounds > 0).'),
  int: z.boolean().default(false).describe('Round to an integer.'),
  steps: z.number().int().min(2).max(100).default(3).describe('Grid points between min and max (grid search).'),
});
type Range = z.output<typeof range>;
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

function checkRange(name: string, r: Range) {
  if (!(r.max >= r.min)) throw new NodeFailure(`space.${name}: max must be ≥ min`, { type: 'BadInput', retryable: false });
  if (r.log && r.min <= 0) throw new NodeFailure(`space.${name}: a log range needs min > 0`, { type: 'BadInput', retryable: false });
}

const finish = (r: Range, v: number) => (r.int ? Math.round(v) : v);

function gridValues(r: Range): number[] {
  const out = Array.from({ length: r.steps }, (_, i) => {
    const t = i / (r.steps - 1);
    return finish(r, r.log ? Math.exp(Math.log(r.min) + t * (Math.log(r.max) - Math.log(r.min))) : r.min + t * (r.max - r.min));
  });
  return [...new Set(out)];
}

type Value = number | string | boolean;

/** Every trial of the search, in a stable order. */
export function expandSpace(p: z.output<typeof params>): Record<string, unknown>[] {
  const names = Object.keys(p.space);
  for (const n of names) if (!Array.isArray(p.space[n])) checkRange(n, p.space[n] as Range);
  if (p.search === 'grid') {
    const axes = names.map((n) => (Array.isArray(p.space[n]) ? (p.space[n] as Value[]) : gridValues(p.space[n] as Range)));
    const size = axes.reduce((a, v) => a * v.length, 1);
    if (size > p.maxTrials) {
      throw new NodeFailure(`the grid has ${size} trials, more than maxTrials (${p.maxTrials})`, { type: 'BadInput', retryable: false });
    }
    let combos: Record<string, unknown>[] = [{}];
    names.forEach((n, i) => {
      combos = combos.flatMap((c) => axes[i]!.map((v) => ({ ...c, [n]: v })));
    });
    return combos.map((c) => ({ ...p.fixed, ...c }));
  }
  const next = rng(p.seed);
  return Array.from({ length: p.trials }, () => {
    const trial: Record<string, unknown> = { ...p.fixed };
    for (const n of names) {
      const d = p.space[n]!;
      if (Array.isArray(d)) trial[n] = d[Math.floor(next() * d.length)];
      else {
        const r = d;
        const u = next();
        trial[n] = finish(r, r.log ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min))) : r.min + u * (r.max - r.min));
      }
    }
    return trial;
  });
}

export default defineNode({
  type: 'search.space',
  version: 1,
  category: 'search',
  capabilities: [],
  title: 'Hyperparameter search space',
  description:
    'Expands a search space (grid: every combination; random: seeded draws) into the list of trial param sets. ' +
    'Map a trainer node over its `trials` output with {"$item": "<param>"} params, then keep the best with search.select.',
  inputs: {},
  outputs: { trials: 'Json' },
  params,
  run: async (ctx, _inputs, p) => {
    const trials = expandSpace(p);
    ctx.progress({ trials: trials.length, trainer: p.trainer, search: p.search });
    return { outputs: { trials } };
  },
});
