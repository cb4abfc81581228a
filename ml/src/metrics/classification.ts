// Label metrics (accuracy, precision/recall/F1, confusion matrix) and log loss, with scikit-learn's semantics:
// macro averages run over every class in `classes`, and a ratio with a zero denominator is 0
// (scikit-learn's default zero_division="warn" returns 0 too).
import { pairwiseSum } from './numeric';
import {
  type ClassIndex,
  type Label,
  type Labels,
  type Numbers,
  type ProbaMatrix,
  classIndex,
  encodeLabels,
  probaMatrix,
  requireNonEmpty,
  requireProbabilities,
  requireSameLength,
} from './validate';

/** True and predicted labels encoded as positions in `classes`. */
export interface EncodedLabels {
  readonly ci: ClassIndex;
  readonly yTrue: Int32Array;
  readonly yPred: Int32Array;
}

/** Validates and encodes true and predicted labels against `classes`. */
export function encodePair(yTrue: Labels, yPred: Labels, classes: Labels): EncodedLabels {
  const ci = classIndex(classes);
  requireNonEmpty('y_true', yTrue.length);
  requireSameLength('y_true', yTrue.length, 'y_pred', yPred.length);
  return { ci, yTrue: encodeLabels('y_true', yTrue, ci), yPred: encodeLabels('y_pred', yPred, ci) };
}

/** Counts per (true, predicted) class pair, k×k row-major (rows = true, columns = predicted). */
export function confusionCounts(e: EncodedLabels): Float64Array {
  const k = e.ci.k;
  const m = new Float64Array(k * k);
  for (let i = 0; i < e.yTrue.length; i++) m[e.yTrue[i]! * k + e.yPred[i]!]! += 1;
  return m;
}

/** Confusion matrix like `sklearn.metrics.confusion_matrix(labels=classes)`: rows = true class, columns = predicted, in `classes` order. */
export function confusion_matrix(yTrue: Labels, yPred: Labels, classes: Labels): number[][] {
  const e = encodePair(yTrue, yPred, classes);
  const m = confusionCounts(e);
  const k = e.ci.k;
  return Array.from({ length: k }, (_, r) => Array.from(m.subarray(r * k, (r + 1) * k)));
}

/** Precision, recall, F1 and support of one class. */
export interface ClassScores {
  readonly class: Label;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Number of samples whose true class is this one. */
  readonly support: number;
}

/** Per-class scores from encoded labels (see {@link per_class_metrics}). */
export function classScores(e: EncodedLabels): ClassScores[] {
  const k = e.ci.k;
  const m = confusionCounts(e);
  const out: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    const tp = m[c * k + c]!;
    let trueSum = 0;
    let predSum = 0;
    for (let j = 0; j < k; j++) {
      trueSum += m[c * k + j]!;
      predSum += m[j * k + c]!;
    }
    const f1Denominator = trueSum + predSum;
    out.push({
      class: e.ci.classes[c]!,
      precision: predSum === 0 ? 0 : tp / predSum,
      recall: trueSum === 0 ? 0 : tp / trueSum,
      f1: f1Denominator === 0 ? 0 : (2 * tp) / f1Denominator,
      support: trueSum,
    });
  }
  return out;
}

/** Per-class precision, recall, F1 and support, like `precision_recall_fscore_support(labels=classes, average=None)`; 0 where undefined. */
export function per_class_metrics(yTrue: Labels, yPred: Labels, classes: Labels): ClassScores[] {
  return classScores(encodePair(yTrue, yPred, classes));
}

/** Fraction of samples whose predicted label equals the true label (`accuracy_score`). */
export function accuracy(yTrue: Labels, yPred: Labels, classes: Labels): number {
  return accuracyOf(encodePair(yTrue, yPred, classes));
}

/** Accuracy from encoded labels. */
export function accuracyOf(e: EncodedLabels): number {
  let correct = 0;
  for (let i = 0; i < e.yTrue.length; i++) if (e.yTrue[i] === e.yPred[i]) correct++;
  return correct / e.yTrue.length;
}

/** Unweighted mean over classes of one per-class score. */
export function macroOf(scores: readonly ClassScores[], key: 'precision' | 'recall' | 'f1'): number {
  return pairwiseSum(scores.map((s) => s[key])) / scores.length;
}

/** Support-weighted mean over classes of one per-class score (numpy.average with weights). */
export function weightedOf(scores: readonly ClassScores[], key: 'precision' | 'recall' | 'f1'): number {
  const weights = scores.map((s) => s.support);
  return pairwiseSum(scores.map((s, i) => s[key] * weights[i]!)) / pairwiseSum(weights);
}

/** Macro-averaged precision over all `classes` (`precision_score(average='macro', labels=classes)`). */
export function precision_macro(yTrue: Labels, yPred: Labels, classes: Labels): number {
  return macroOf(per_class_metrics(yTrue, yPred, classes), 'precision');
}

/** Macro-averaged recall over all `classes` (`recall_score(average='macro', labels=classes)`). */
export function recall_macro(yTrue: Labels, yPred: Labels, classes: Labels): number {
  return macroOf(per_class_metrics(yTrue, yPred, classes), 'recall');
}

/** Macro-averaged F1 over all `classes` (`f1_score(average='macro', labels=classes)`). */
export function f1_macro(yTrue: Labels, yPred: Labels, classes: Labels): number {
  return macroOf(per_class_metrics(yTrue, yPred, classes), 'f1');
}

/** Support-weighted F1 over all `classes` (`f1_score(average='weighted', labels=classes)`). */
export function f1_weighted(yTrue: Labels, yPred: Labels, classes: Labels): number {
  return weightedOf(per_class_metrics(yTrue, yPred, classes), 'f1');
}

/** True labels and predicted probabilities, validated and encoded. */
export interface EncodedProba {
  readonly ci: ClassIndex;
  readonly yTrue: Int32Array;
  readonly proba: ProbaMatrix;
}

/** Validates and encodes true labels and an n×k (or binary length-n) probability input. */
export function encodeProba(yTrue: Labels, proba: Numbers, classes: Labels): EncodedProba {
  const ci = classIndex(classes);
  requireNonEmpty('y_true', yTrue.length);
  const codes = encodeLabels('y_true', yTrue, ci);
  return { ci, yTrue: codes, proba: probaMatrix('proba', proba, yTrue.length, ci.k) };
}

const EPS = Number.EPSILON;

/** Log loss from encoded inputs (see {@link log_loss}). */
export function logLossOf(e: EncodedProba): number {
  requireProbabilities('proba', e.proba);
  const { n, k, data } = e.proba;
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(data[i * k + e.yTrue[i]!]!, EPS), 1 - EPS);
    losses[i] = -Math.log(p);
  }
  return pairwiseSum(losses) / n;
}

/**
 * Mean cross-entropy like scikit-learn ≥ 1.5 `log_loss(labels=classes)`: probabilities are clipped to
 * [ε, 1−ε] with ε = float64 machine epsilon, and rows are NOT renormalised (scikit-learn only warns when
 * they do not sum to 1). Probabilities outside [0, 1] are an error, as in scikit-learn.
 */
export function log_loss(yTrue: Labels, proba: Numbers, classes: Labels): number {
  return logLossOf(encodeProba(yTrue, proba, classes));
}

/**
 * Predicted labels from probabilities for n samples: the first class with the highest probability
 * (numpy.argmax, as scikit-learn's `predict` does); binary length-n input compares [1−p, p].
 */
export function argmaxLabels(proba: Numbers, classes: Labels, n: number): Label[] {
  const ci = classIndex(classes);
  requireNonEmpty('proba', n);
  const m = probaMatrix('proba', proba, n, ci.k);
  const out: Label[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < ci.k; c++) if (m.data[i * ci.k + c]! > m.data[i * ci.k + best]!) best = c;
    out.push(ci.classes[best]!);
  }
  return out;
}
