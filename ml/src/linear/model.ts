import type { FeatureMatrix } from '../gbdt/types';
import { readColumns, sigmoid, type Task } from './data';
import { ModelInputError } from './errors';

/** One row of the solver history. */
export interface SolverRecord {
  readonly iteration: number;
  /** Objective per row (mean loss plus the L2 term divided by the row count). */
  readonly loss: number;
}

/** A trained linear model as plain data (JSON-serialisable). */
export interface LinearModelData {
  readonly task: Task;
  /** 2 for binary, K for multiclass, 1 for regression. */
  readonly numClasses: number;
  readonly numFeatures: number;
  /**
   * Coefficients on the raw features, row-major `outputs × numFeatures` (one output for binary and
   * regression: the log-odds of class 1 or the prediction; K for multiclass).
   */
  readonly coef: readonly number[];
  /** One intercept per output. */
  readonly intercept: readonly number[];
  /** Training mean per feature: what a missing value (NaN) is replaced with. */
  readonly featureMean: readonly number[];
  /** Training standard deviation per feature (1 for constant columns); used by the ONNX export. */
  readonly featureScale: readonly number[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly history: readonly SolverRecord[];
}

/** A trained linear model (logistic, softmax or ridge regression). */
/**
 * What linear models and networks share: probabilities and labels from raw scores (log-odds for
 * binary, one logit per class for multiclass, the value for regression).
 */
export abstract class RawScoreModel {
  abstract readonly task: Task;
  abstract readonly numClasses: number;

  /** Raw scores, one array of rows per output. */
  abstract predictRaw(features: FeatureMatrix): Float64Array[];

  /** Class probabilities, row-major `rows × numClasses` (binary: `[P(0), P(1)]`). Classifiers only. */
  predictProba(features: FeatureMatrix): Float64Array {
    if (this.task === 'regression') {
      throw new ModelInputError('predictProba: a regression model has no class probabilities; use predict');
    }
    return probabilities(this.task, this.predictRaw(features), this.numClasses);
  }

  /** Class index per row (binary: 1 when P(1) > 0.5), or the predicted value for regression. */
  predict(features: FeatureMatrix): Float64Array {
    return labelsFromRaw(this.task, this.predictRaw(features));
  }
}

export class LinearModel extends RawScoreModel implements LinearModelData {
  readonly task: Task;
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly coef: readonly number[];
  readonly intercept: readonly number[];
  readonly featureMean: readonly number[];
  readonly featureScale: readonly number[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly history: readonly SolverRecord[];

  constructor(data: LinearModelData) {
    super();
    this.task = data.task;
    this.numClasses = data.numClasses;
    this.numFeatures = data.numFeatures;
    this.coef = data.coef;
    this.intercept = data.intercept;
    this.featureMean = data.featureMean;
    this.featureScale = data.featureScale;
    this.iterations = data.iterations;
    this.converged = data.converged;
    this.history = data.history;
  }

  get numOutputs(): number {
    return this.intercept.length;
  }

  /** Raw scores, one array of rows per output (log-odds, class logits or predictions). */
  predictRaw(features: FeatureMatrix): Float64Array[] {
    const { columns, numRows, numFeatures } = readColumns(features, 'prediction features');
    if (numFeatures !== this.numFeatures) {
      throw new ModelInputError(
        `prediction features: ${numFeatures} columns, but the model was trained on ${this.numFeatures}`,
      );
    }
    const d = this.numFeatures;
    return this.intercept.map((b, k) => {
      const out = new Float64Array(numRows).fill(b);
      for (let f = 0; f < d; f++) {
        const w = this.coef[k * d + f]!;
        const fill = w * this.featureMean[f]!;
        const col = columns[f]!;
        for (let i = 0; i < numRows; i++) {
          const v = col[i]!;
          out[i]! += v === v ? w * v : fill;
        }
      }
      return out;
    });
  }

  toJSON(): LinearModelData {
    return {
      task: this.task,
      numClasses: this.numClasses,
      numFeatures: this.numFeatures,
      coef: this.coef,
      intercept: this.intercept,
      featureMean: this.featureMean,
      featureScale: this.featureScale,
      iterations: this.iterations,
      converged: this.converged,
      history: this.history,
    };
  }
}

/** Probabilities from raw scores: sigmoid for one binary output, softmax across K outputs. */
export function probabilities(task: Task, raw: readonly Float64Array[], numClasses: number): Float64Array {
  const n = raw[0]!.length;
  const out = new Float64Array(n * numClasses);
  if (task === 'binary') {
    const s = raw[0]!;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(s[i]!);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  const K = raw.length;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, raw[k]![i]!);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += out[i * K + k] = Math.exp(raw[k]![i]! - max);
    for (let k = 0; k < K; k++) out[i * K + k]! /= sum;
  }
  return out;
}

/** Class index per row from raw scores (first maximum wins), or the raw value for regression. */
export function labelsFromRaw(task: Task, raw: readonly Float64Array[]): Float64Array {
  const n = raw[0]!.length;
  if (task === 'regression') return raw[0]!;
  const out = new Float64Array(n);
  if (task === 'binary') {
    for (let i = 0; i < n; i++) out[i] = raw[0]![i]! > 0 ? 1 : 0;
    return out;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < raw.length; k++) if (raw[k]![i]! > raw[best]![i]!) best = k;
    out[i] = best;
  }
  return out;
}
