// Ranking metrics: ROC curve and AUC, precision–recall curve and average precision. They follow
// scikit-learn's algorithms step for step (scores sorted descending, one point per distinct score,
// trapezoids for ROC AUC, the uninterpolated step sum for average precision), so ties are handled the same way.
import { type EncodedProba, encodeProba } from './classification';
import { pairwiseSum } from './numeric';
import {
  type Label,
  type Labels,
  type Numbers,
  MetricsInputError,
  firstUnnormalisedRow,
  probaColumn,
  showLabel,
} from './validate';

/** Cumulative false and true positives at each distinct score, highest score first (`confusion_matrix_at_thresholds`). */
export interface ThresholdCounts {
  readonly fps: Float64Array;
  readonly tps: Float64Array;
  /** The distinct scores, descending. */
  readonly thresholds: Float64Array;
}

/** Counts positives and negatives scored at or above each distinct score. */
export function countsAtThresholds(isPositive: Uint8Array, scores: Float64Array): ThresholdCounts {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[order[i]!]!;
    tp += isPositive[order[i]!]!;
    if (i === n - 1 || scores[order[i + 1]!]! !== s) {
      tps.push(tp);
      fps.push(1 + i - tp);
      thresholds.push(s);
    }
  }
  return {
    fps: Float64Array.from(fps),
    tps: Float64Array.from(tps),
    thresholds: Float64Array.from(thresholds),
  };
}

/** An ROC curve: false and true positive rates per threshold; `thresholds[0]` is +Infinity (the (0, 0) point). */
export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
  readonly thresholds: number[];
}

/** ROC curve of a binary problem, like `roc_curve(drop_intermediate=True)`; rates are NaN when a class is absent. */
export function rocCurveBinary(isPositive: Uint8Array, scores: Float64Array): RocCurve {
  let { fps, tps, thresholds } = countsAtThresholds(isPositive, scores);
  const m = fps.length;
  if (m > 2) {
    // Drop points collinear with their neighbours: keep the ends and every corner (second difference ≠ 0).
    const keep: number[] = [0];
    for (let i = 1; i < m - 1; i++) {
      const dfps = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!);
      const dtps = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!);
      if (dfps !== 0 || dtps !== 0) keep.push(i);
    }
    keep.push(m - 1);
    fps = Float64Array.from(keep, (i) => fps[i]!);
    tps = Float64Array.from(keep, (i) => tps[i]!);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]!);
  }
  const negatives = fps[fps.length - 1]!;
  const positives = tps[tps.length - 1]!;
  const fpr = [0, ...fps].map((v) => (negatives <= 0 ? Number.NaN : v / negatives));
  const tpr = [0, ...tps].map((v) => (positives <= 0 ? Number.NaN : v / positives));
  return { fpr, tpr, thresholds: [Number.POSITIVE_INFINITY, ...thresholds] };
}

/** Area under a curve by the trapezoidal rule (`sklearn.metrics.auc` for increasing x). */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  const terms = new Float64Array(Math.max(x.length - 1, 0));
  for (let i = 0; i + 1 < x.length; i++) terms[i] = ((x[i + 1]! - x[i]!) * (y[i + 1]! + y[i]!)) / 2;
  return pairwiseSum(terms);
}

function positivesOf(yTrue: Int32Array, c: number): { isPositive: Uint8Array; positives: number } {
  const isPositive = new Uint8Array(yTrue.length);
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === c) {
      isPositive[i] = 1;
      positives++;
    }
  }
  return { isPositive, positives };
}

/** Binary ROC AUC; NaN when only one class is present (scikit-learn warns and returns NaN). */
export function rocAucBinary(isPositive: Uint8Array, scores: Float64Array): number {
  let positives = 0;
  for (let i = 0; i < isPositive.length; i++) positives += isPositive[i]!;
  if (positives === 0 || positives === isPositive.length) return Number.NaN;
  const { fpr, tpr } = rocCurveBinary(isPositive, scores);
  return trapezoid(fpr, tpr);
}

/** One-vs-rest ROC AUC of class `c` (NaN if the class is absent from y_true or is the only class present). */
export function rocAucForClass(e: EncodedProba, c: number): number {
  return rocAucBinary(positivesOf(e.yTrue, c).isPositive, probaColumn(e.proba, c));
}

/** ROC AUC from encoded inputs (see {@link roc_auc}). */
export function rocAucOf(e: EncodedProba): number {
  if (e.ci.k === 2) return rocAucForClass(e, 1);
  const bad = firstUnnormalisedRow(e.proba);
  if (bad) {
    throw new MetricsInputError(
      `proba row ${bad.row} sums to ${bad.sum}: multiclass ROC AUC needs probabilities that sum to 1 over the classes`,
    );
  }
  const scores = Array.from({ length: e.ci.k }, (_, c) => rocAucForClass(e, c));
  return pairwiseSum(scores) / scores.length;
}

/**
 * ROC AUC. Binary: AUC of the score of `classes[1]` (like `roc_auc_score`). Multiclass: one-vs-rest,
 * unweighted mean over `classes` (`roc_auc_score(multi_class='ovr', average='macro', labels=classes)`),
 * which needs rows summing to 1. NaN when a class has no positive or no negative sample, as scikit-learn.
 */
export function roc_auc(yTrue: Labels, proba: Numbers, classes: Labels): number {
  return rocAucOf(encodeProba(yTrue, proba, classes));
}

/**
 * ROC curve points for `positive` (default `classes[1]`) against the rest, like
 * `roc_curve(y_true == positive, score, drop_intermediate=True)`. `thresholds[0]` is +Infinity.
 */
export function roc_curve(yTrue: Labels, proba: Numbers, classes: Labels, positive?: Label): RocCurve {
  const e = encodeProba(yTrue, proba, classes);
  const c = positive === undefined ? 1 : e.ci.index.get(positive);
  if (c === undefined)
    throw new MetricsInputError(`positive is ${showLabel(positive)}, which is not one of classes`);
  return rocCurveBinary(positivesOf(e.yTrue, c).isPositive, probaColumn(e.proba, c));
}

/** A precision–recall curve: recall decreasing to 0, the last point (precision 1, recall 0) has no threshold. */
export interface PrecisionRecallCurve {
  readonly precision: number[];
  readonly recall: number[];
  /** Increasing distinct scores. */
  readonly thresholds: number[];
}

/** Precision–recall curve of a binary problem (`precision_recall_curve`, drop_intermediate=False). */
export function prCurveBinary(isPositive: Uint8Array, scores: Float64Array): PrecisionRecallCurve {
  const { fps, tps, thresholds } = countsAtThresholds(isPositive, scores);
  const m = tps.length;
  const positives = tps[m - 1]!;
  const precision: number[] = [];
  const recall: number[] = [];
  const thr: number[] = [];
  for (let i = m - 1; i >= 0; i--) {
    const predicted = tps[i]! + fps[i]!;
    precision.push(predicted === 0 ? 0 : tps[i]! / predicted);
    recall.push(positives === 0 ? 1 : tps[i]! / positives);
    thr.push(thresholds[i]!);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: thr };
}

/** Average precision of a binary problem: Σ (R_n − R_{n−1}) P_n, the uninterpolated step sum (`average_precision_score`). */
export function averagePrecisionBinary(isPositive: Uint8Array, scores: Float64Array): number {
  const { precision, recall } = prCurveBinary(isPositive, scores);
  const terms = new Float64Array(recall.length - 1);
  for (let i = 0; i + 1 < recall.length; i++) terms[i] = (recall[i + 1]! - recall[i]!) * precision[i]!;
  return Math.max(0, -pairwiseSum(terms));
}

/** One-vs-rest average precision of class `c` (0 when the class is absent from y_true, as scikit-learn returns). */
export function averagePrecisionForClass(e: EncodedProba, c: number): number {
  return averagePrecisionBinary(positivesOf(e.yTrue, c).isPositive, probaColumn(e.proba, c));
}

/** Average precision from encoded inputs (see {@link pr_auc}). */
export function prAucOf(e: EncodedProba): number {
  if (e.ci.k === 2) return averagePrecisionForClass(e, 1);
  const scores = Array.from({ length: e.ci.k }, (_, c) => averagePrecisionForClass(e, c));
  return pairwiseSum(scores) / scores.length;
}

/**
 * Area under the precision–recall curve as average precision (`average_precision_score`). Binary: for
 * `classes[1]`. Multiclass: one-vs-rest macro mean over `classes` (scikit-learn on the label-binarized
 * y_true); a class absent from y_true scores 0 there, as in scikit-learn.
 */
export function pr_auc(yTrue: Labels, proba: Numbers, classes: Labels): number {
  return prAucOf(encodeProba(yTrue, proba, classes));
}

/** Precision–recall curve for `positive` (default `classes[1]`) against the rest, like `precision_recall_curve`. */
export function precision_recall_curve(
  yTrue: Labels,
  proba: Numbers,
  classes: Labels,
  positive?: Label,
): PrecisionRecallCurve {
  const e = encodeProba(yTrue, proba, classes);
  const c = positive === undefined ? 1 : e.ci.index.get(positive);
  if (c === undefined)
    throw new MetricsInputError(`positive is ${showLabel(positive)}, which is not one of classes`);
  return prCurveBinary(positivesOf(e.yTrue, c).isPositive, probaColumn(e.proba, c));
}
