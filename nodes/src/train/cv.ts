// train.cv: k-fold cross-validation around any of the TypeScript trainers, then the final model on
// every training row. It is the trial node of a hyperparameter search: map it over search.space's
// `trials` with `params: {"$item": ""}` and rank the trials with search.select on a `cv_*` metric.
import type { DatasetValue, MetricsValue, ModelValue, TransformValue } from '@kiln/engine';
import { z } from 'zod';
import { NodeFailure, defineNode, type NodeContext } from '../define-node';
import evaluateModel from '../evaluate/model';
import { storeTransform } from '../featurize/tabular';
import { encodeTarget, refitTransform } from '../featurize/transform-spec';
import { readColumns, rng, shuffle, writeRows } from '../shared/tabular';
import { readTransform } from './common';
import trainGbdt from './gbdt';
import trainLinear from './linear';
import trainMlp from './mlp';
import declaration from './cv.decl';

const TRAINERS = { gbdt: trainGbdt, linear: trainLinear, mlp: trainMlp } as const;

const bad = (message: string) => new NodeFailure(message, { type: 'BadInput', retryable: false });

/** Row indices per fold, stratified by the encoded target for classification. */
export function assignFolds(labels: Float64Array, k: number, seed: number, stratify: boolean): number[][] {
  const random = rng(seed);
  const groups = new Map<number, number[]>();
  labels.forEach((y, r) => {
    const key = stratify ? y : 0;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  });
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    for (const r of shuffle(groups.get(key)!, random)) folds[next++ % k]!.push(r);
  }
  return folds.map((f) => f.sort((a, b) => a - b));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const trainer = TRAINERS[p.trainer] as unknown as {
      params: z.ZodType;
      run(c: NodeContext, i: { train: DatasetValue; transform: TransformValue }, q: unknown): Promise<{ outputs: { model: ModelValue; metrics: MetricsValue } }>;
    };
    const parsed = trainer.params.safeParse(p.params);
    if (!parsed.success) {
      throw bad(`params for train.${p.trainer}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    const spec = await readTransform(ctx, inputs.transform);
    const cols = await readColumns(ctx.store, inputs.train);
    const cvValues: Record<string, number[]> = {};
    if (p.cvFolds > 0) {
      if (p.cvFolds < 2) throw bad('cvFolds must be 0 (off) or at least 2');
      if (cols.rowCount < p.cvFolds * 2) throw bad(`${cols.rowCount} rows cannot make ${p.cvFolds} folds`);
      const labels = encodeTarget(spec, cols, Array.from({ length: cols.rowCount }, (_, i) => i));
      const folds = assignFolds(labels, p.cvFolds, p.seed, spec.task !== 'regression');
      const tmp = await ctx.scratchDir();
      for (let k = 0; k < folds.length; k++) {
        const held = new Set(folds[k]);
        const rest = Array.from({ length: cols.rowCount }, (_, i) => i).filter((r) => !held.has(r));
        const foldCtx: NodeContext = { ...ctx, progress: (d) => ctx.progress({ ...d, fold: k + 1, folds: folds.length }) };
        const trainRef = await writeRows(ctx.store, cols, rest, tmp);
        const validRef = await writeRows(ctx.store, cols, folds[k]!, tmp);
        // The fold's preprocessing is fitted on its own training rows, as featurize fits it on the
        // training split, so the held-out rows do not leak into imputation, scaling or categories.
        const transform = spec.fit ? await storeTransform(ctx.store, refitTransform(spec, cols, rest)) : inputs.transform;
        const fit = await trainer.run(foldCtx, { train: trainRef, transform }, parsed.data);
        const scored = await evaluateModel.run(
          foldCtx,
          { model: fit.outputs.model, dataset: validRef },
          evaluateModel.params.parse({ latencyRows: 0, includePredictions: false }),
        );
        for (const [name, v] of Object.entries(scored.outputs.metrics.values)) {
          if (typeof v === 'number' && Number.isFinite(v)) (cvValues[name] ??= []).push(v);
        }
      }
    }
    const final = await trainer.run(ctx, { train: inputs.train, transform: inputs.transform }, parsed.data);
    const metrics = final.outputs.metrics;
    const cv: Record<string, number> = {};
    for (const [name, xs] of Object.entries(cvValues)) {
      if (xs.length !== p.cvFolds || name.endsWith('_ms_per_row') || name === 'model_bytes') continue;
      cv[`cv_${name}`] = mean(xs);
      cv[`cv_${name}_std`] = std(xs);
    }
    return {
      outputs: {
        model: final.outputs.model,
        metrics: {
          ...metrics,
          values: { ...metrics.values, ...cv, cv_folds: p.cvFolds, cv_refit: p.cvFolds > 0 && spec.fit ? 1 : 0 },
        },
      },
    };
  },
});
