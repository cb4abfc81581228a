// search.space: the trial list of a hyperparameter search. Its `trials` output is the list a mapped
// trainer node iterates over (`map: {items: {"$output": "<this node>.trials"}}`, params
// `{"$item": "<param>"}`); search.select then keeps the best trial. See examples/churn-search.
import { z } from 'zod';
import { NodeFailure, defineNode } from '../define-node';
import { rng } from '../shared/tabular';
import declaration, { type range } from './space.decl';

type Range = z.output<typeof range>;
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
export function expandSpace(p: z.output<typeof declaration.params>): Record<string, unknown>[] {
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
  ...declaration,
  run: async (ctx, _inputs, p) => {
    const trials = expandSpace(p);
    ctx.progress({ trials: trials.length, trainer: p.trainer, search: p.search });
    return { outputs: { trials } };
  },
});
