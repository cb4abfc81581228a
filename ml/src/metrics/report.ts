// One JSON-serialisable summary per evaluation. Every number in a report is finite: where a metric is
// undefined (AUC with one class present, R² of one sample, …) its value is null and `null_reasons` says why.
import { calibrationOf, type CalibrationCurve } from './calibration';
import {
  type ClassScores,
  type EncodedLabels,
  type EncodedProba,
  accuracyOf,
  argmaxLabels,
  classScores,
  confusionCounts,
  encodePair,
  logLossOf,
  macroOf,
  weightedOf,
} from './classification';
import { mean } from './numeric';
import {
  type RegressionPair,
  type ResidualSummary,
  maeOf,
  mapeOf,
  mseOf,
  r2Of,
  regressionPair,
  residualSummaryOf,
} from './regression';
import { averagePrecisionForClass, prAucOf, rocAucOf, rocCurveBinary } from './roc';
import { type SliceMetrics, metricsBySlice, pickMatrixRows, pickRows } from './slices';
import {
  type Label,
  type Labels,
  type Numbers,
  MetricsInputError,
  firstUnnormalisedRow,
  probaColumn,
  probaMatrix,
  requireSameLength,
  showLabel,
} from './validate';

/** Why each null metric is null, keyed by metric name. */
export type NullReasons = Record<string, string>;

/** The headline classification metrics; probability metrics are null without `proba` or where undefined. */
export interface ClassificationMetrics {
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  f1_weighted: number;
  roc_auc: number | null;
  pr_auc: number | null;
  log_loss: number | null;
}

/** Headline metrics of a group of rows (the whole set, or one slice). */
export interface ClassificationMetricSet {
  metrics: ClassificationMetrics;
  /** Binary only: fraction of rows predicted as `classes[1]` (selection rate, for bias checks). */
  positive_rate?: number;
  null_reasons: NullReasons;
}

/** An ROC curve in a report; `thresholds[0]` is null, standing for +∞ (the point where nothing is predicted positive). */
export interface ReportRocCurve {
  class: Label;
  fpr: number[] | null;
  tpr: number[] | null;
  thresholds: (number | null)[] | null;
  /** Points of the full curve (scikit-learn's roc_curve with drop_intermediate=True). */
  total_points: number;
  /** True when the curve was thinned to `maxCurvePoints` evenly spaced points (ends kept). */
  thinned: boolean;
  reason?: string;
}

/** Everything about a classifier's predictions, JSON-serialisable. */
export interface ClassificationReport extends ClassificationMetricSet {
  kind: 'classification';
  n: number;
  classes: Label[];
  /** Where predicted labels came from: given, or the most probable class. */
  predictions_from: 'y_pred' | 'argmax(proba)';
  per_class: ClassScores[];
  /** Rows = true class, columns = predicted class, both in `classes` order. */
  confusion_matrix: number[][];
  /** Binary: the curve of `classes[1]`; multiclass: one-vs-rest per class. Null without `proba`. */
  roc_curves: ReportRocCurve[] | null;
  /** Binary: `classes[1]`; multiclass: one-vs-rest per class. Null without `proba` or with values outside [0, 1]. */
  calibration: CalibrationCurve[] | null;
  warnings: string[];
  /** Per slicing column, the metric set of every distinct value. */
  slices?: Record<string, SliceMetrics<ClassificationMetricSet>[]>;
}

/** Inputs of {@link classificationReport}. */
export interface ClassificationReportInput {
  /** The ordered class list; probability columns follow it, and `classes[1]` is the positive class when binary. */
  classes: Labels;
  yTrue: Labels;
  /** Predicted labels; when absent, the most probable class of each row of `proba`. */
  yPred?: Labels;
  /** n×k probabilities row-major, or (binary) n probabilities of `classes[1]`. */
  proba?: Numbers;
  /** Slicing columns by name, one value per row, for metrics per group. */
  slices?: Record<string, readonly unknown[]>;
  /** Slices with fewer rows get counts but no metrics (default 1). */
  minSliceCount?: number;
  /** Longest ROC curve kept in the report before thinning (default 1000), to keep payloads small. */
  maxCurvePoints?: number;
  /** Calibration bins (default 10, uniform). */
  calibrationBins?: number;
}

function labelsOf(ci: { classes: Labels }, codes: ArrayLike<number>): string {
  return Array.from(codes, (c) => showLabel(ci.classes[c])).join(', ');
}

function absentClasses(e: EncodedProba): number[] {
  const seen = new Uint8Array(e.ci.k);
  for (let i = 0; i < e.yTrue.length; i++) seen[e.yTrue[i]!] = 1;
  return Array.from({ length: e.ci.k }, (_, c) => c).filter((c) => !seen[c]);
}

function probaRangeProblem(e: EncodedProba): string | null {
  for (let i = 0; i < e.proba.data.length; i++) {
    const v = e.proba.data[i]!;
    if (v < 0 || v > 1)
      return `proba holds ${e.proba.fromPositive ? e.proba.data[i | 1]! : v}, outside [0, 1]: not probabilities`;
  }
  return null;
}

/** Headline metrics from encoded labels and (optionally) probabilities; undefined metrics are null with a reason. */
function metricSet(labels: EncodedLabels, proba: EncodedProba | null): ClassificationMetricSet {
  const scores = classScores(labels);
  const reasons: NullReasons = {};
  const metrics: ClassificationMetrics = {
    accuracy: accuracyOf(labels),
    precision_macro: macroOf(scores, 'precision'),
    recall_macro: macroOf(scores, 'recall'),
    f1_macro: macroOf(scores, 'f1'),
    f1_weighted: weightedOf(scores, 'f1'),
    roc_auc: null,
    pr_auc: null,
    log_loss: null,
  };
  if (!proba) {
    for (const m of ['roc_auc', 'pr_auc', 'log_loss']) reasons[m] = 'no probabilities given';
  } else {
    const absent = absentClasses(proba);
    const binary = proba.ci.k === 2;
    // ROC AUC: every class needs positives and negatives.
    if (binary && absent.length > 0) {
      reasons.roc_auc = `only one class present in y_true (${labelsOf(proba.ci, [1 - absent[0]!])})`;
    } else if (!binary && absent.length > 0) {
      reasons.roc_auc = `class(es) ${labelsOf(proba.ci, absent)} absent from y_true: their one-vs-rest AUC is undefined`;
    } else {
      const bad = binary ? null : firstUnnormalisedRow(proba.proba);
      if (bad)
        reasons.roc_auc = `proba row ${bad.row} sums to ${bad.sum}: multiclass ROC AUC needs rows summing to 1`;
      else metrics.roc_auc = rocAucOf(proba);
    }
    // Average precision: undefined for a class without positive samples (scikit-learn returns 0 with a warning).
    if (binary && absent.includes(1)) {
      reasons.pr_auc = `no sample of the positive class ${showLabel(proba.ci.classes[1])} in y_true`;
    } else if (!binary && absent.length > 0) {
      reasons.pr_auc = `class(es) ${labelsOf(proba.ci, absent)} absent from y_true: their average precision is undefined`;
    } else {
      metrics.pr_auc = binary ? averagePrecisionForClass(proba, 1) : prAucOf(proba);
    }
    const range = probaRangeProblem(proba);
    if (range) reasons.log_loss = range;
    else metrics.log_loss = logLossOf(proba);
  }
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      (metrics as unknown as Record<string, number | null>)[name] = null;
      reasons[name] ??= 'not a finite number';
    }
  }
  const set: ClassificationMetricSet = { metrics, null_reasons: reasons };
  if (labels.ci.k === 2) {
    let positives = 0;
    for (let i = 0; i < labels.yPred.length; i++) positives += labels.yPred[i] === 1 ? 1 : 0;
    set.positive_rate = positives / labels.yPred.length;
  }
  return set;
}

/** Replaces -0 with 0 throughout (JSON writes -0 as 0), so a report equals its JSON round trip. */
function withoutNegativeZero<T>(value: T): T {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (Object.is(v, -0)) value[i] = 0;
      else withoutNegativeZero(v);
    });
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(record)) {
      if (Object.is(v, -0)) record[k] = 0;
      else withoutNegativeZero(v);
    }
  }
  return value;
}

function thinIndices(total: number, max: number): number[] {
  if (total <= max) return Array.from({ length: total }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const idx = Math.round((i * (total - 1)) / (max - 1));
    if (out[out.length - 1] !== idx) out.push(idx);
  }
  return out;
}

function reportRoc(proba: EncodedProba, c: number, maxPoints: number): ReportRocCurve {
  const isPositive = new Uint8Array(proba.yTrue.length);
  let positives = 0;
  for (let i = 0; i < isPositive.length; i++) positives += isPositive[i] = proba.yTrue[i] === c ? 1 : 0;
  const label = proba.ci.classes[c]!;
  if (positives === 0 || positives === isPositive.length) {
    const reason =
      positives === 0
        ? `no sample of class ${showLabel(label)} in y_true`
        : `every sample is of class ${showLabel(label)}`;
    return { class: label, fpr: null, tpr: null, thresholds: null, total_points: 0, thinned: false, reason };
  }
  const curve = rocCurveBinary(isPositive, probaColumn(proba.proba, c));
  const keep = thinIndices(curve.fpr.length, Math.max(2, maxPoints));
  return {
    class: label,
    fpr: keep.map((i) => curve.fpr[i]!),
    tpr: keep.map((i) => curve.tpr[i]!),
    thresholds: keep.map((i) => (Number.isFinite(curve.thresholds[i]!) ? curve.thresholds[i]! : null)),
    total_points: curve.fpr.length,
    thinned: keep.length < curve.fpr.length,
  };
}

/**
 * Classification report: accuracy, macro/weighted scores, ROC AUC, average precision, log loss, per-class
 * scores, confusion matrix, ROC curves, calibration bins and optional per-slice metrics, as one JSON object.
 * Malformed input throws {@link MetricsInputError}; undefined metrics are null with a reason.
 */
export function classificationReport(input: ClassificationReportInput): ClassificationReport {
  const { classes, yTrue, proba } = input;
  if (input.yPred === undefined && proba === undefined) {
    throw new MetricsInputError('classificationReport needs yPred, proba, or both');
  }
  const yPred = input.yPred ?? argmaxLabels(proba!, classes, yTrue.length);
  const labels = encodePair(yTrue, yPred, classes);
  const n = labels.yTrue.length;
  const k = labels.ci.k;
  const encodedProba: EncodedProba | null =
    proba === undefined
      ? null
      : { ci: labels.ci, yTrue: labels.yTrue, proba: probaMatrix('proba', proba, n, k) };
  const warnings: string[] = [];
  if (encodedProba) {
    const bad = firstUnnormalisedRow(encodedProba.proba);
    if (bad && !encodedProba.proba.fromPositive) {
      warnings.push(
        `proba row ${bad.row} sums to ${bad.sum}, not 1; log_loss uses the rows as given (scikit-learn does not renormalise)`,
      );
    }
  }
  const counts = confusionCounts(labels);
  const rangeProblem = encodedProba ? probaRangeProblem(encodedProba) : 'no probabilities given';
  const curveClasses = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const report: ClassificationReport = {
    kind: 'classification',
    n,
    classes: [...labels.ci.classes],
    predictions_from: input.yPred === undefined ? 'argmax(proba)' : 'y_pred',
    ...metricSet(labels, encodedProba),
    per_class: classScores(labels),
    confusion_matrix: Array.from({ length: k }, (_, r) => Array.from(counts.subarray(r * k, (r + 1) * k))),
    roc_curves: encodedProba
      ? curveClasses.map((c) => reportRoc(encodedProba, c, input.maxCurvePoints ?? 1000))
      : null,
    calibration:
      encodedProba && !rangeProblem
        ? curveClasses.map((c) => calibrationOf(encodedProba, c, input.calibrationBins ?? 10))
        : null,
    warnings,
  };
  if (report.calibration === null && rangeProblem) report.null_reasons.calibration = rangeProblem;
  if (input.slices) {
    report.slices = {};
    for (const [column, values] of Object.entries(input.slices)) {
      requireSameLength('y_true', n, `slices.${column}`, values.length);
      report.slices[column] = metricsBySlice(
        values,
        (rows) => {
          const sub: EncodedLabels = {
            ci: labels.ci,
            yTrue: Int32Array.from(pickRows(labels.yTrue, rows)),
            yPred: Int32Array.from(pickRows(labels.yPred, rows)),
          };
          const subProba: EncodedProba | null = encodedProba && {
            ci: labels.ci,
            yTrue: sub.yTrue,
            proba: {
              ...encodedProba.proba,
              n: rows.length,
              data: pickMatrixRows(encodedProba.proba.data, k, rows),
            },
          };
          return metricSet(sub, subProba);
        },
        { minCount: input.minSliceCount ?? 1 },
      );
    }
  }
  return withoutNegativeZero(report);
}

/** The headline regression metrics. */
export interface RegressionMetrics {
  mae: number;
  mse: number;
  rmse: number;
  r2: number | null;
  mape: number | null;
}

/** Headline regression metrics of a group of rows (the whole set, or one slice). */
export interface RegressionMetricSet {
  metrics: RegressionMetrics;
  /** Mean of y_true − y_pred (bias). */
  residual_mean: number;
  null_reasons: NullReasons;
}

/** Everything about a regressor's predictions, JSON-serialisable. */
export interface RegressionReport extends RegressionMetricSet {
  kind: 'regression';
  n: number;
  residuals: ResidualSummary;
  warnings: string[];
  slices?: Record<string, SliceMetrics<RegressionMetricSet>[]>;
}

/** Inputs of {@link regressionReport}. */
export interface RegressionReportInput {
  yTrue: Numbers;
  yPred: Numbers;
  slices?: Record<string, readonly unknown[]>;
  minSliceCount?: number;
}

function regressionSet(p: RegressionPair): RegressionMetricSet {
  const reasons: NullReasons = {};
  const mseValue = mseOf(p);
  const metrics: RegressionMetrics = {
    mae: maeOf(p),
    mse: mseValue,
    rmse: Math.sqrt(mseValue),
    r2: null,
    mape: null,
  };
  if (p.yTrue.length < 2) reasons.r2 = 'R² needs at least two samples';
  else metrics.r2 = r2Of(p);
  const mapeValue = mapeOf(p);
  if (Number.isFinite(mapeValue)) metrics.mape = mapeValue;
  else reasons.mape = 'not a finite number (errors too large for float64 once divided by machine epsilon)';
  for (const name of ['mae', 'mse', 'rmse'] as const) {
    if (!Number.isFinite(metrics[name]))
      throw new MetricsInputError(`${name} overflows float64: the values are too large`);
  }
  const residualMean = mean(p.yTrue.map((t, i) => t - p.yPred[i]!));
  return { metrics, residual_mean: residualMean, null_reasons: reasons };
}

/**
 * Regression report: MAE, MSE, RMSE, R², MAPE, a residual summary and optional per-slice metrics, as one
 * JSON object. Malformed input throws {@link MetricsInputError}; undefined metrics are null with a reason.
 */
export function regressionReport(input: RegressionReportInput): RegressionReport {
  const pair = regressionPair(input.yTrue, input.yPred);
  const n = pair.yTrue.length;
  const warnings: string[] = [];
  let zeros = 0;
  for (let i = 0; i < n; i++) if (pair.yTrue[i] === 0) zeros++;
  if (zeros > 0) {
    warnings.push(
      `y_true has ${zeros} zero target(s): MAPE divides their errors by machine epsilon (as scikit-learn), so it is dominated by them`,
    );
  }
  const residuals = residualSummaryOf(pair);
  for (const [name, value] of Object.entries(residuals)) {
    if (!Number.isFinite(value))
      throw new MetricsInputError(`residual ${name} overflows float64: the values are too large`);
  }
  const report: RegressionReport = { kind: 'regression', n, ...regressionSet(pair), residuals, warnings };
  if (input.slices) {
    report.slices = {};
    for (const [column, values] of Object.entries(input.slices)) {
      requireSameLength('y_true', n, `slices.${column}`, values.length);
      report.slices[column] = metricsBySlice(
        values,
        (rows) =>
          regressionSet({
            yTrue: Float64Array.from(pickRows(pair.yTrue, rows)),
            yPred: Float64Array.from(pickRows(pair.yPred, rows)),
          }),
        { minCount: input.minSliceCount ?? 1 },
      );
    }
  }
  return withoutNegativeZero(report);
}
