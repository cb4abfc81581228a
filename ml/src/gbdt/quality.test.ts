import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../test-helpers';
import { trainBooster } from './train';
import type { BoosterParams } from './types';

/** A fixture written by `fixtures/make_reference.py` (scikit-learn HistGradientBoosting* reference). */
interface Reference {
  dataset: string;
  settings: {
    max_iter: number;
    learning_rate: number;
    max_leaf_nodes: number;
    max_bins: number;
    l2_regularization: number;
    min_samples_leaf: number;
  };
  columns: number[][];
  labels: number[];
  trainRows: number[];
  testRows: number[];
  sklearn: { roc_auc?: number; r2?: number };
}

function load(name: string): Reference {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Reference;
}

function take(ref: Reference, rows: number[]) {
  return {
    columns: ref.columns.map((col) => Float64Array.from(rows, (i) => col[i]!)),
    labels: Float64Array.from(rows, (i) => ref.labels[i]!),
  };
}

function paramsFrom(ref: Reference, objective: BoosterParams['objective']): BoosterParams {
  const s = ref.settings;
  return {
    objective,
    numIterations: s.max_iter,
    learningRate: s.learning_rate,
    maxLeaves: s.max_leaf_nodes,
    maxBins: s.max_bins,
    lambdaL2: s.l2_regularization,
    minDataInLeaf: s.min_samples_leaf,
  };
}

function r2(labels: Float64Array, pred: Float64Array): number {
  const mean = labels.reduce((a, b) => a + b, 0) / labels.length;
  let ssRes = 0;
  let ssTot = 0;
  labels.forEach((y, i) => {
    ssRes += (y - pred[i]!) ** 2;
    ssTot += (y - mean) ** 2;
  });
  return 1 - ssRes / ssTot;
}

describe('quality against scikit-learn HistGradientBoosting (same data, split and settings)', () => {
  it('rocAuc helper agrees with a hand count', () => {
    expect(rocAuc(Float64Array.of(0, 0, 1, 1), [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    expect(rocAuc(Float64Array.of(0, 1), [0.5, 0.5])).toBeCloseTo(0.5, 12);
  });

  it('breast cancer: held-out ROC-AUC within 0.01 of scikit-learn', async () => {
    const ref = load('breast_cancer');
    const train = take(ref, ref.trainRows);
    const test = take(ref, ref.testRows);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      paramsFrom(ref, 'binary'),
    );
    const proba = booster.predictProba(test.columns);
    const auc = rocAuc(
      test.labels,
      Array.from(test.labels, (_, i) => proba[2 * i + 1]!),
    );
    console.info(
      `breast_cancer ROC-AUC: ours ${auc.toFixed(5)}, scikit-learn ${ref.sklearn.roc_auc!.toFixed(5)}`,
    );
    expect(Math.abs(auc - ref.sklearn.roc_auc!)).toBeLessThanOrEqual(0.01);
  });

  it('diabetes: held-out R² within 0.01 of scikit-learn', async () => {
    // A small, noisy regression set (R² around 0.28): 0.01 is tight for it and still leaves room for
    // tie-breaking differences between two exact implementations.
    const ref = load('diabetes');
    const train = take(ref, ref.trainRows);
    const test = take(ref, ref.testRows);
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      paramsFrom(ref, 'regression'),
    );
    const score = r2(test.labels, booster.predict(test.columns));
    console.info(`diabetes R²: ours ${score.toFixed(5)}, scikit-learn ${ref.sklearn.r2!.toFixed(5)}`);
    expect(Math.abs(score - ref.sklearn.r2!)).toBeLessThanOrEqual(0.01);
  });
});
