import { describe, expect, it } from 'vitest';
import { Booster, type BoosterModel } from '../gbdt/booster';
import { makeSynthetic, splitRows } from '../gbdt/synthetic-data';
import { trainBooster } from '../gbdt/train';
import type { Tree } from '../gbdt/types';
import { parseModel } from './model-builder';
import { boosterToOnnx, exportBoosterToOnnx } from './tree-ensemble';
import { runOnnx } from '../test-helpers';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Test rows: held-out data plus rows sitting exactly on the learned thresholds, and all-missing rows. */
function probeRows(booster: Booster, columns: readonly Float64Array[]): Float64Array[] {
  const extra: number[][] = [];
  for (const tree of booster.trees.slice(0, 5)) {
    tree.splitFeature.forEach((f, k) => {
      const row = columns.map((c) => c[k]!);
      row[f] = tree.threshold[k]!;
      extra.push(row);
      // Above the threshold in float64 but equal to it in float32: must still go left.
      extra.push(row.map((v, j) => (j === f ? v + Math.abs(v) * 1e-12 : v)));
    });
  }
  extra.push(columns.map(() => NaN));
  return columns.map((c, f) => Float64Array.from([...c, ...extra.map((r) => r[f]!)]));
}

describe('TreeEnsemble export', () => {
  it('binary: onnxruntime gives the booster probabilities (1e-5) and labels, NaN rows included', async () => {
    const data = makeSynthetic('binary', { rows: 3000, features: 6, seed: 21, missingRate: 0.15 });
    // Feature 5: constant where present, missing exactly for half the positives: a "missing or not" split.
    data.columns[5] = data.labels.map((y, i) => (y === 1 && i % 2 === 0 ? NaN : 1));
    const [train, test] = splitRows(data, 2000);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      { objective: 'binary', numIterations: 50, maxLeaves: 15 },
    );
    expect(booster.trees.some((t) => t.threshold.includes(Infinity))).toBe(true);
    const rows = probeRows(booster, test.columns);
    const out = await runOnnx(exportBoosterToOnnx(booster), rows);
    expect(out.probabilities!.dims).toEqual([rows[0]!.length, 2]);
    expectClose(out.probabilities!.data as Float32Array, booster.predictProba(rows), 1e-5);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(booster.predict(rows)));
  });

  it('multiclass: probabilities and labels match, with int64 or string class labels', async () => {
    const data = makeSynthetic('multiclass', { rows: 3000, features: 7, seed: 22, missingRate: 0.1 });
    const [train, test] = splitRows(data, 2000);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      { objective: 'multiclass', numIterations: 30, maxLeaves: 15 },
    );
    const rows = probeRows(booster, test.columns);
    const expected = booster.predict(rows);
    const out = await runOnnx(exportBoosterToOnnx(booster), rows);
    expect(out.probabilities!.dims).toEqual([rows[0]!.length, 3]);
    expectClose(out.probabilities!.data as Float32Array, booster.predictProba(rows), 1e-5);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(expected));

    const names = ['setosa', 'versicolor', 'virginica'];
    const named = await runOnnx(exportBoosterToOnnx(booster, { classLabels: names }), rows);
    expect(named.label!.data).toEqual(Array.from(expected, (k) => names[k]));
  });

  it('multiclass with two classes: exported so that onnxruntime agrees', async () => {
    const data = makeSynthetic('binary', { rows: 2000, features: 4, seed: 26, missingRate: 0.1 });
    const booster = await trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'multiclass', numIterations: 10 },
    );
    expect(booster.numClasses).toBe(2);
    const out = await runOnnx(exportBoosterToOnnx(booster), data.columns);
    expectClose(out.probabilities!.data as Float32Array, booster.predictProba(data.columns), 1e-5);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(
      Array.from(booster.predict(data.columns)),
    );
  });

  it('regression: onnxruntime gives the booster predictions', async () => {
    const data = makeSynthetic('regression', { rows: 3000, features: 5, seed: 23, missingRate: 0.1 });
    const [train, test] = splitRows(data, 2000);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      { objective: 'regression', numIterations: 60, maxLeaves: 31 },
    );
    const rows = probeRows(booster, test.columns);
    const out = await runOnnx(exportBoosterToOnnx(booster), rows);
    expect(out.variable!.dims).toEqual([rows[0]!.length, 1]);
    expectClose(out.variable!.data as Float32Array, booster.predict(rows), 1e-5);
  });

  it('binary: labels follow P(1) > 0.5 even when no leaf weight is negative', async () => {
    // onnxruntime labels binary ensembles by raw score > 0.5 when every weight is >= 0; the exporter
    // must avoid that case. Raw scores here are 0.3 (label 1) and −0.1 (label 0).
    const stump: Tree = {
      splitFeature: [0],
      splitBin: [0],
      threshold: [0],
      defaultLeft: [true],
      left: [~0],
      right: [~1],
      splitGain: [1],
      leafValue: [0, 0.4],
      leafCount: [1, 1],
    };
    const model: BoosterModel = {
      objective: 'binary',
      numClasses: 2,
      numFeatures: 1,
      initScores: [-0.1],
      trees: [stump],
      bestIteration: 1,
      history: [],
    };
    const booster = new Booster(model);
    const rows = [Float64Array.of(-1, 1, NaN, 0)];
    const out = await runOnnx(exportBoosterToOnnx(model), rows);
    expect(Array.from(booster.predict(rows))).toEqual([0, 1, 0, 0]);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual([0, 1, 0, 0]);
    expectClose(out.probabilities!.data as Float32Array, booster.predictProba(rows), 1e-6);
  });

  it('exports trees that never split (a single leaf)', async () => {
    const data = makeSynthetic('binary', { rows: 200, features: 2, seed: 24 });
    // minDataInLeaf above half the rows: no split is allowed.
    const booster = await trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'binary', numIterations: 3, minDataInLeaf: 150 },
    );
    expect(booster.trees.every((t) => t.splitFeature.length === 0)).toBe(true);
    const out = await runOnnx(exportBoosterToOnnx(booster), data.columns);
    expectClose(out.probabilities!.data as Float32Array, booster.predictProba(data.columns), 1e-6);
  });

  it('declares opset 17 and ai.onnx.ml 3 and round-trips through protobuf', async () => {
    const data = makeSynthetic('regression', { rows: 100, features: 3, seed: 25 });
    const booster = await trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'regression', numIterations: 2, minDataInLeaf: 5 },
    );
    const model = boosterToOnnx(booster, { featureNames: ['a', 'b', 'c'] });
    const parsed = parseModel(exportBoosterToOnnx(booster, { featureNames: ['a', 'b', 'c'] }));
    const opsets = Object.fromEntries(parsed.opsetImport.map((o) => [o.domain, Number(o.version)]));
    expect(opsets).toEqual({ '': 17, 'ai.onnx.ml': 3 });
    expect(parsed.graph?.node?.[0]?.opType).toBe('TreeEnsembleRegressor');
    expect(parsed.graph?.input?.[0]?.name).toBe('X');
    expect(parsed.metadataProps.find((p) => p.key === 'feature_names')?.value).toBe('a,b,c');
    expect(model.graph!.node).toHaveLength(1);
    expect(() => boosterToOnnx(booster, { featureNames: ['a'] })).toThrow('featureNames has 1 names');
  });
});
