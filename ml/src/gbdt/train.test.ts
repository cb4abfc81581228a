import { describe, expect, it } from 'vitest';
import { trainBooster } from './index';
import { makeSynthetic, splitRows } from './synthetic-data';

function accuracy(predicted: Float64Array, labels: Float64Array): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits / labels.length;
}

describe('trainBooster', () => {
  it('binary: the loss falls, held-out accuracy is high, probabilities are consistent', async () => {
    const data = makeSynthetic('binary', { rows: 6000, features: 8, seed: 1, missingRate: 0.1 });
    const [train, test] = splitRows(data, 4000);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      { objective: 'binary', numIterations: 60, learningRate: 0.1, maxLeaves: 15 },
    );
    const losses = booster.history.map((h) => h.trainLoss);
    expect(losses).toHaveLength(60);
    expect(losses[59]!).toBeLessThan(losses[0]! * 0.6);
    for (let t = 1; t < losses.length; t++) expect(losses[t]!).toBeLessThanOrEqual(losses[t - 1]! + 1e-9);
    expect(booster.trees).toHaveLength(60);
    expect(accuracy(booster.predict(test.columns), test.labels)).toBeGreaterThan(0.85);
    const proba = booster.predictProba(test.columns);
    const labels = booster.predict(test.columns);
    for (let i = 0; i < test.labels.length; i++) {
      expect(proba[2 * i]! + proba[2 * i + 1]!).toBeCloseTo(1, 12);
      expect(labels[i]).toBe(proba[2 * i + 1]! > 0.5 ? 1 : 0);
    }
  });

  it('multiclass: one tree per class per iteration, the loss falls, accuracy beats chance by far', async () => {
    const data = makeSynthetic('multiclass', { rows: 6000, features: 8, seed: 2, missingRate: 0.05 });
    const [train, test] = splitRows(data, 4000);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      { objective: 'multiclass', numIterations: 40, maxLeaves: 15 },
    );
    expect(booster.numClasses).toBe(3);
    expect(booster.trees).toHaveLength(120);
    const losses = booster.history.map((h) => h.trainLoss);
    expect(losses[39]!).toBeLessThan(losses[0]! * 0.7);
    expect(accuracy(booster.predict(test.columns), test.labels)).toBeGreaterThan(0.7);
    const proba = booster.predictProba(test.columns);
    for (let i = 0; i < 50; i++)
      expect(proba[3 * i]! + proba[3 * i + 1]! + proba[3 * i + 2]!).toBeCloseTo(1, 12);
  });

  it('regression: the L2 loss falls and held-out R² is high', async () => {
    const data = makeSynthetic('regression', { rows: 6000, features: 6, seed: 3, noise: 0.2 });
    const [train, test] = splitRows(data, 4000);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      { objective: 'regression', numIterations: 150, maxLeaves: 31, learningRate: 0.1 },
    );
    const losses = booster.history.map((h) => h.trainLoss);
    expect(losses[149]!).toBeLessThan(losses[0]! * 0.2);
    const pred = booster.predict(test.columns);
    let mean = 0;
    for (const y of test.labels) mean += y / test.labels.length;
    let ssRes = 0;
    let ssTot = 0;
    test.labels.forEach((y, i) => {
      ssRes += (y - pred[i]!) ** 2;
      ssTot += (y - mean) ** 2;
    });
    expect(1 - ssRes / ssTot).toBeGreaterThan(0.85);
  });

  it('early stopping keeps the best iteration and stops after the patience runs out', async () => {
    const data = makeSynthetic('binary', { rows: 3000, features: 6, seed: 4, noise: 2 });
    const [train, valid] = splitRows(data, 2000);
    const seen: Array<[number, number, number | undefined]> = [];
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      {
        objective: 'binary',
        numIterations: 500,
        learningRate: 0.3,
        maxLeaves: 31,
        minDataInLeaf: 5,
        earlyStoppingRounds: 10,
      },
      {
        valid: { features: valid.columns, labels: valid.labels },
        onProgress: (i, loss, metric) => void seen.push([i, loss, metric]),
      },
    );
    expect(booster.history.length).toBeLessThan(500);
    expect(booster.history.length).toBe(booster.bestIteration + 10);
    expect(booster.trees).toHaveLength(booster.bestIteration);
    expect(seen).toHaveLength(booster.history.length);
    const metrics = seen.map(([, , m]) => m!);
    const best = Math.min(...metrics);
    expect(metrics[booster.bestIteration - 1]).toBe(best);
    // The kept model scores the validation set at the best metric.
    const proba = booster.predictProba(valid.columns);
    let logloss = 0;
    valid.labels.forEach((y, i) => (logloss -= Math.log(proba[2 * i + y]!)));
    expect(logloss / valid.labels.length).toBeCloseTo(best, 9);
  });

  it('awaits an async progress callback before the next iteration', async () => {
    const data = makeSynthetic('regression', { rows: 500, features: 3, seed: 5 });
    const events: string[] = [];
    await trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'regression', numIterations: 3 },
      {
        onProgress: async (i) => {
          events.push(`start ${i}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          events.push(`end ${i}`);
        },
      },
    );
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('learns where missing values go', async () => {
    // Label 1 exactly when feature 0 is missing or above 1: missing values must go right.
    const n = 4000;
    const x = new Float64Array(n);
    const noise = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i % 5 === 0 ? NaN : ((i * 7919) % 1000) / 250 - 2;
      noise[i] = ((i * 104729) % 997) / 997;
      y[i] = Number.isNaN(x[i]!) || x[i]! > 1 ? 1 : 0;
    }
    const booster = await trainBooster(
      { features: [x, noise], labels: y },
      { objective: 'binary', numIterations: 20, maxLeaves: 4 },
    );
    const pred = booster.predict([Float64Array.of(NaN, 0, 1.5, -1.5), Float64Array.of(0.5, 0.5, 0.5, 0.5)]);
    expect(Array.from(pred)).toEqual([1, 0, 1, 0]);
    expect(booster.trees[0]!.defaultLeft[0]).toBe(false);
  });

  it('reports feature importance by gain and by split count', async () => {
    const data = makeSynthetic('binary', { rows: 3000, features: 10, seed: 6 });
    const booster = await trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'binary', numIterations: 30, maxLeaves: 8 },
    );
    const gain = booster.featureImportance('gain');
    const splits = booster.featureImportance('split');
    const totalSplits = booster.trees.reduce((s, t) => s + t.splitFeature.length, 0);
    expect(splits.reduce((a, b) => a + b, 0)).toBe(totalSplits);
    // Feature 0 carries most of the signal; features 5..9 carry none.
    expect(gain.indexOf(Math.max(...gain))).toBe(0);
    for (let f = 5; f < 10; f++) expect(gain[f]!).toBeLessThan(gain[0]! / 10);
  });

  it('is deterministic for a seed, with bagging and feature sampling', async () => {
    const data = makeSynthetic('binary', { rows: 2000, features: 8, seed: 7 });
    const params = {
      objective: 'binary' as const,
      numIterations: 10,
      baggingFraction: 0.7,
      featureFraction: 0.5,
      seed: 42,
    };
    const a = await trainBooster({ features: data.columns, labels: data.labels }, params);
    const b = await trainBooster({ features: data.columns, labels: data.labels }, params);
    const c = await trainBooster({ features: data.columns, labels: data.labels }, { ...params, seed: 43 });
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.toJSON().trees).not.toEqual(c.toJSON().trees);
    // Each tree uses at most 4 of the 8 features.
    for (const tree of a.trees) expect(new Set(tree.splitFeature).size).toBeLessThanOrEqual(4);
    expect(a.history.at(-1)!.trainLoss).toBeLessThan(a.history[0]!.trainLoss);
  });

  it('accepts a row-major matrix and trains the same model as from columns', async () => {
    const data = makeSynthetic('regression', { rows: 800, features: 4, seed: 8, missingRate: 0.1 });
    const values = new Float64Array(800 * 4);
    for (let i = 0; i < 800; i++) for (let f = 0; f < 4; f++) values[i * 4 + f] = data.columns[f]![i]!;
    const params = { objective: 'regression' as const, numIterations: 5 };
    const a = await trainBooster({ features: data.columns, labels: data.labels }, params);
    const b = await trainBooster({ features: { values, rows: 800, cols: 4 }, labels: data.labels }, params);
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(Array.from(b.predict({ values, rows: 800, cols: 4 }))).toEqual(
      Array.from(a.predict(data.columns)),
    );
  });

  it('respects maxLeaves, maxDepth and minDataInLeaf', async () => {
    const data = makeSynthetic('regression', { rows: 3000, features: 5, seed: 9 });
    const booster = await trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'regression', numIterations: 5, maxLeaves: 63, maxDepth: 3, minDataInLeaf: 50 },
    );
    for (const tree of booster.trees) {
      expect(tree.leafValue.length).toBeLessThanOrEqual(8);
      for (const c of tree.leafCount) expect(c).toBeGreaterThanOrEqual(50);
      expect(tree.leafCount.reduce((a, b) => a + b, 0)).toBe(3000);
    }
    const wide = await trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'regression', numIterations: 2, maxLeaves: 7 },
    );
    for (const tree of wide.trees) expect(tree.leafValue).toHaveLength(7);
  });
});
