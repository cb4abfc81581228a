import type { FeatureMatrix } from './gbdt/types';
import { sigmoid } from './linear/data';
import { ModelInputError } from './linear/errors';
import { ModelData } from './model-data';
import type { Task } from './task';

// From raw scores (log-odds for binary, one logit per class for multiclass, the value for
// regression) to probabilities and labels: the same for boosted trees, linear models and networks.

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

/**
 * The base class of linear models and networks over their data `D`: probabilities and labels from
 * the raw scores the model computes.
 */
export function RawScoreModel<D extends { readonly task: Task; readonly numClasses: number }>() {
  // Generic here, D's fields are unknown to the compiler: the base is typed by the fields used here, the
  // class returned by all of D's (as ModelData's is).
  const Base = ModelData<D>() as unknown as new (data: D) => { readonly task: Task; readonly numClasses: number; toJSON(): D };
  abstract class RawScores extends Base {
    /** Raw scores, one array of rows per output (log-odds, class logits or predictions). */
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
  return RawScores as unknown as abstract new (data: D) => RawScores & Readonly<D>;
}
