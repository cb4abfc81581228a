import { describe, expect, it } from 'vitest';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import ingest from '../ingest/file';
import featurize, { TRANSFORM_MEDIA_TYPE } from '../featurize/tabular';
import { encodeTarget, refitTransform, type NumericFeature, type TransformSpec } from '../featurize/transform-spec';
import { readColumns } from '../shared/tabular';
import type { ArtifactStore, PutOptions } from '@kiln/artifacts/artifact-store';
import trainCv, { assignFolds } from '../train/cv';
import space, { expandSpace } from './space';
import select, { leaderboard } from './select';
import { tempFile, testContext } from '../shared/test-context';

describe('search.space', () => {
  it('expands a grid in a stable order, with the fixed params in every trial', () => {
    const trials = expandSpace(space.params.parse({ space: { a: [1, 2], b: ['x', 'y', 'z'] }, fixed: { n: 5 } }));
    expect(trials).toHaveLength(6);
    expect(trials[0]).toEqual({ n: 5, a: 1, b: 'x' });
    expect(trials[5]).toEqual({ n: 5, a: 2, b: 'z' });
    const ranged = expandSpace(space.params.parse({ space: { lr: { min: 0.01, max: 1, log: true, steps: 3 } } }));
    expect(ranged.map((t) => t.lr as number).map((v) => Number(v.toFixed(6)))).toEqual([0.01, 0.1, 1]);
  });

  it('draws seeded random trials inside the ranges, and refuses oversized grids', () => {
    const p = space.params.parse({ search: 'random', trials: 20, seed: 4, space: { leaves: { min: 4, max: 64, int: true }, c: [1, 2] } });
    const a = expandSpace(p);
    expect(a).toEqual(expandSpace(p));
    expect(a).toHaveLength(20);
    for (const t of a) {
      expect(Number.isInteger(t.leaves)).toBe(true);
      expect(t.leaves).toBeGreaterThanOrEqual(4);
      expect(t.leaves).toBeLessThanOrEqual(64);
      expect([1, 2]).toContain(t.c);
    }
    expect(() => expandSpace(space.params.parse({ maxTrials: 3, space: { a: [1, 2], b: [1, 2] } }))).toThrow(/4 trials/);
  });
});

// Inputs fed by a mapped trainer arrive as lists (the worker checks them item by item).
describe('search.select', () => {
  const m = (v: number | null) => ({ task: 'binary', values: { auc: v }, report: {} }) as never;
  it('ranks by the metric (max or min) and keeps the best model', async () => {
    expect(leaderboard([m(0.7), m(0.9), m(null), m(0.8)], 'auc', 'max').map((e) => e.trial)).toEqual([1, 3, 0]);
    expect(leaderboard([m(0.7), m(0.9), m(0.8)], 'auc', 'min')[0]!.trial).toBe(0);
    const r = await select.run(testContext(), { metrics: [m(0.7), m(0.9)], model: ['m0', 'm1'] } as never, select.params.parse({ metric: 'auc' }));
    expect(r.outputs.model).toBe('m1');
    expect((r.outputs.metrics as { values: Record<string, number> }).values).toMatchObject({ auc: 0.9, search_trial: 1, search_trials: 2 });
    await expect(select.run(testContext(), { metrics: [m(0.7)], model: ['a'] } as never, select.params.parse({ metric: 'nope' }))).rejects.toThrow(/no trial reports metric "nope"/);
    await expect(select.run(testContext(), { metrics: [m(0.7)], model: [] } as never, select.params.parse({ metric: 'auc' }))).rejects.toThrow(/1 trials but "model" has 0/);
  });
});

describe('train.cv', () => {
  it('assigns stratified folds covering every row once', () => {
    const labels = Float64Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const folds = assignFolds(labels, 5, 1, true);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const f of folds) expect(f.filter((r) => labels[r] === 1)).toHaveLength(2);
  });

  it('reports the mean of each held-out metric over the folds and trains the final model on every row', async () => {
    const ctx = testContext();
    const csv = `a,b,y\n${Array.from({ length: 300 }, (_, i) => `${i % 37},${(i * 7) % 11},${(i % 37) + ((i * 7) % 11) > 22 ? 1 : 0}`).join('\n')}\n`;
    const ds = (await ingest.run(ctx, {}, ingest.params.parse({ uri: tempFile('cv.csv', csv) }))).outputs.dataset as DatasetRef;
    const f = await featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'y' }));
    const r = await trainCv.run(ctx, f.outputs as never, trainCv.params.parse({ trainer: 'linear', params: { C: 10 }, cvFolds: 3 }));
    const values = (r.outputs.metrics as { values: Record<string, number> }).values;
    expect(values.cv_folds).toBe(3);
    expect(values.cv_roc_auc).toBeGreaterThan(0.9);
    expect(values.cv_roc_auc_std).toBeGreaterThanOrEqual(0);
    expect(r.outputs.model).toMatchObject({ task: 'binary', target: 'y' });
    await expect(trainCv.run(ctx, f.outputs as never, trainCv.params.parse({ trainer: 'gbdt', params: { nope: 1 } }))).rejects.toThrow(/params for train.gbdt/);
  });

  it('refits the preprocessing on each fold’s training rows, not on the whole training split', async () => {
    // Record the transforms the folds train with: every transform put in the (real) store.
    const base = testContext();
    const transforms: TransformSpec[] = [];
    const store: ArtifactStore = Object.create(base.store, {
      put: {
        value: async (source: Uint8Array, options: PutOptions) => {
          if (options.mediaType === TRANSFORM_MEDIA_TYPE) transforms.push(JSON.parse(new TextDecoder().decode(source)) as TransformSpec);
          return base.store.put(source, options);
        },
      },
    });
    const ctx = { ...base, store };
    // x has missing values and a skewed distribution; c has a category that is rare.
    const csv = `x,c,y\n${Array.from({ length: 200 }, (_, i) => `${i % 9 === 0 ? '' : (i * i) % 101},${i % 50 === 0 ? 'rare' : ['p', 'q'][i % 2]},${i % 3 === 0 ? 1 : 0}`).join('\n')}\n`;
    const ds = (await ingest.run(ctx, {}, ingest.params.parse({ uri: tempFile('cv.csv', csv) }))).outputs.dataset as DatasetRef;
    const f = await featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'y', impute: 'mean' }));
    expect(transforms).toHaveLength(1);
    const full = transforms[0]!;
    expect(full.fit).toMatchObject({ impute: 'mean', scale: 'standard', encoding: 'onehot' });

    const r = await trainCv.run(ctx, f.outputs as never, trainCv.params.parse({ trainer: 'linear', cvFolds: 4, seed: 3 }));
    expect((r.outputs.metrics as { values: Record<string, number> }).values.cv_refit).toBe(1);
    const folds = transforms.slice(1);
    expect(folds).toHaveLength(4);
    // Each fold's transform is the preprocessing fitted on exactly that fold's training rows.
    const cols = await readColumns(ctx.store, f.outputs.train as DatasetRef);
    const labels = encodeTarget(full, cols, Array.from({ length: cols.rowCount }, (_, i) => i));
    assignFolds(labels, 4, 3, true).forEach((held, k) => {
      const rest = Array.from({ length: cols.rowCount }, (_, i) => i).filter((i) => !held.includes(i));
      expect(folds[k]).toEqual(refitTransform(full, cols, rest));
      const [x] = folds[k]!.features as NumericFeature[];
      const [fullX] = full.features as NumericFeature[];
      expect(x!.offset, `fold ${k + 1}: mean of x`).not.toBe(fullX!.offset);
      expect(x!.impute, `fold ${k + 1}: imputed x`).not.toBe(fullX!.impute);
      expect(x!.scale, `fold ${k + 1}: scale of x`).not.toBe(fullX!.scale);
    });
  });
});
