// Checks the metrics against scikit-learn's outputs in fixtures/sklearn-metrics.json (regenerate with
// fixtures/make_fixtures.py), then checks the reports and the errors on malformed input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Label,
  MetricsInputError,
  accuracy,
  argmaxLabels,
  calibration_curve,
  classificationReport,
  confusion_matrix,
  f1_macro,
  f1_weighted,
  log_loss,
  mae,
  mape,
  metricsBySlice,
  mse,
  per_class_metrics,
  pr_auc,
  precision_macro,
  precision_recall_curve,
  r2,
  recall_macro,
  regressionReport,
  residual_summary,
  rmse,
  roc_auc,
  roc_curve,
} from './index';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Expected = number | { error: string };

interface ClassificationCase {
  name: string;
  classes: Label[];
  y_true: Label[];
  y_pred: Label[];
  proba: number[];
  proba_layout: 'positive' | 'matrix';
  expected: {
    accuracy: number;
    precision_macro: number;
    recall_macro: number;
    f1_macro: number;
    f1_weighted: number;
    confusion_matrix: number[][];
    per_class: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
    log_loss: Expected;
    roc_auc: Expected;
    pr_auc: number;
    pr_curve?: { precision: number[]; recall: number[]; thresholds: number[] };
    roc_curves: { class: Label; fpr: number[]; tpr: number[]; thresholds: number[] }[];
    calibration: {
      class: Label;
      prob_true: number[];
      prob_pred: number[];
      counts: number[];
      edges: number[];
    }[];
  };
  slices?: { values: (Label | null)[]; expected: Record<string, Record<string, number>> };
}

interface RegressionCase {
  name: string;
  y_true: number[];
  y_pred: number[];
  expected: {
    mae: number;
    mse: number;
    rmse: number;
    r2: number;
    mape: number;
    residuals: Record<string, number>;
  };
  slices?: { values: (Label | null)[]; expected: Record<string, Record<string, number>> };
}

/** JSON has no NaN/Infinity: the fixture writes them as strings. */
function decode(value: Json): unknown {
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

const raw = JSON.parse(
  readFileSync(new URL('./fixtures/sklearn-metrics.json', import.meta.url), 'utf8'),
) as Json;
const fixtures = decode(raw) as {
  sklearn_version: string;
  classification: ClassificationCase[];
  regression: RegressionCase[];
};

const TOLERANCE = 1e-9;

/** Equal within 1e-9, absolute below 1 and relative above; NaN matches NaN and ±∞ matches itself. */
function close(actual: number | null | undefined, expected: number, what: string): void {
  const ok =
    typeof actual === 'number' &&
    ((Number.isNaN(expected) && Number.isNaN(actual)) ||
      actual === expected ||
      Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected)));
  expect(ok, `${what}: got ${actual}, scikit-learn ${expected}`).toBe(true);
}

function closeAll(actual: ArrayLike<number | null>, expected: readonly number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  expected.forEach((e, i) => close(actual[i], e, `${what}[${i}]`));
}

function isError(e: Expected): e is { error: string } {
  return typeof e === 'object';
}

/** Every number in a JSON-bound value is finite, and nothing is lost in a JSON round trip. */
function expectJsonSafe(value: unknown): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') expect(Number.isFinite(v), `${path} is ${v}`).toBe(true);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      expect(ArrayBuffer.isView(v), `${path} is a typed array`).toBe(false);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    } else expect(v === undefined ? 'undefined' : typeof v, path).not.toBe('undefined');
  };
  walk(value, 'report');
  expect(JSON.parse(JSON.stringify(value))).toEqual(value);
}

describe(`scikit-learn ${fixtures.sklearn_version} fixtures: classification`, () => {
  it('has cases', () => expect(fixtures.classification.length).toBeGreaterThanOrEqual(8));

  for (const c of fixtures.classification) {
    describe(c.name, () => {
      const { classes, y_true: yTrue, y_pred: yPred, proba, expected: x } = c;

      it('predicts the most probable class like numpy.argmax', () => {
        expect(argmaxLabels(proba, classes, yTrue.length)).toEqual(yPred);
      });

      it('label metrics', () => {
        close(accuracy(yTrue, yPred, classes), x.accuracy, 'accuracy');
        close(precision_macro(yTrue, yPred, classes), x.precision_macro, 'precision_macro');
        close(recall_macro(yTrue, yPred, classes), x.recall_macro, 'recall_macro');
        close(f1_macro(yTrue, yPred, classes), x.f1_macro, 'f1_macro');
        close(f1_weighted(yTrue, yPred, classes), x.f1_weighted, 'f1_weighted');
        expect(confusion_matrix(yTrue, yPred, classes)).toEqual(x.confusion_matrix);
        const per = per_class_metrics(yTrue, yPred, classes);
        expect(per.map((p) => p.class)).toEqual(classes);
        closeAll(
          per.map((p) => p.precision),
          x.per_class.precision,
          'per-class precision',
        );
        closeAll(
          per.map((p) => p.recall),
          x.per_class.recall,
          'per-class recall',
        );
        closeAll(
          per.map((p) => p.f1),
          x.per_class.f1,
          'per-class f1',
        );
        closeAll(
          per.map((p) => p.support),
          x.per_class.support,
          'per-class support',
        );
      });

      it('probability metrics', () => {
        const asTyped = Float64Array.from(proba);
        for (const input of [proba, asTyped]) {
          if (isError(x.log_loss)) expect(() => log_loss(yTrue, input, classes)).toThrow(MetricsInputError);
          else close(log_loss(yTrue, input, classes), x.log_loss, 'log_loss');
          if (isError(x.roc_auc))
            expect(() => roc_auc(yTrue, input, classes)).toThrow(
              /sums to .*needs probabilities that sum to 1/,
            );
          else close(roc_auc(yTrue, input, classes), x.roc_auc, 'roc_auc');
          close(pr_auc(yTrue, input, classes), x.pr_auc, 'pr_auc');
        }
      });

      it('ROC, precision–recall and calibration curves', () => {
        for (const curve of x.roc_curves) {
          const got = roc_curve(yTrue, proba, classes, curve.class);
          closeAll(got.fpr, curve.fpr, `roc_curve(${curve.class}).fpr`);
          closeAll(got.tpr, curve.tpr, `roc_curve(${curve.class}).tpr`);
          closeAll(got.thresholds, curve.thresholds, `roc_curve(${curve.class}).thresholds`);
        }
        if (x.pr_curve) {
          const got = precision_recall_curve(yTrue, proba, classes);
          closeAll(got.precision, x.pr_curve.precision, 'precision_recall_curve.precision');
          closeAll(got.recall, x.pr_curve.recall, 'precision_recall_curve.recall');
          closeAll(got.thresholds, x.pr_curve.thresholds, 'precision_recall_curve.thresholds');
        }
        for (const cal of x.calibration) {
          const got = calibration_curve(yTrue, proba, classes, { positive: cal.class });
          closeAll(got.prob_true, cal.prob_true, `calibration(${cal.class}).prob_true`);
          closeAll(got.prob_pred, cal.prob_pred, `calibration(${cal.class}).prob_pred`);
          closeAll(
            got.bins.map((b) => b.count),
            cal.counts,
            `calibration(${cal.class}).counts`,
          );
          closeAll(
            [got.bins[0]!.lower, ...got.bins.map((b) => b.upper)],
            cal.edges,
            `calibration(${cal.class}).edges`,
          );
        }
      });

      it('classificationReport agrees and is JSON-safe', () => {
        const report = classificationReport({
          classes,
          yTrue,
          proba,
          ...(c.slices ? { slices: { group: c.slices.values } } : {}),
        });
        expectJsonSafe(report);
        expect(report.predictions_from).toBe('argmax(proba)');
        const m = report.metrics;
        close(m.accuracy, x.accuracy, 'report accuracy');
        close(m.f1_macro, x.f1_macro, 'report f1_macro');
        close(m.f1_weighted, x.f1_weighted, 'report f1_weighted');
        expect(report.confusion_matrix).toEqual(x.confusion_matrix);
        for (const key of ['roc_auc', 'log_loss'] as const) {
          const e = x[key];
          if (isError(e) || Number.isNaN(e)) {
            expect(m[key], key).toBeNull();
            expect(report.null_reasons[key], key).toEqual(expect.any(String));
          } else close(m[key], e, `report ${key}`);
        }
        if (m.pr_auc === null) expect(report.null_reasons.pr_auc).toMatch(/y_true/);
        else close(m.pr_auc, x.pr_auc, 'report pr_auc');
        for (const curve of x.roc_curves) {
          const got = report.roc_curves!.find((r) => r.class === curve.class)!;
          if (Number.isNaN(curve.fpr[0]!) || Number.isNaN(curve.tpr[0]!)) {
            expect(got.fpr).toBeNull();
            expect(got.reason).toEqual(expect.any(String));
            continue;
          }
          expect(got.thinned).toBe(false);
          closeAll(got.fpr!, curve.fpr, 'report roc fpr');
          expect(got.thresholds![0]).toBeNull();
          closeAll(got.thresholds!.slice(1), curve.thresholds.slice(1), 'report roc thresholds');
        }
        for (const cal of x.calibration) {
          const got = report.calibration!.find((r) => r.class === cal.class)!;
          closeAll(got.prob_true, cal.prob_true, 'report calibration prob_true');
        }
        if (c.slices) {
          const slices = report.slices!.group!;
          expect(slices.reduce((s, v) => s + v.count, 0)).toBe(yTrue.length);
          for (const [key, e] of Object.entries(c.slices.expected)) {
            const value = JSON.parse(key) as Label | null;
            const got = slices.find((s) => s.value === value)!;
            expect(got.count, `slice ${key} count`).toBe(e.count);
            close(got.metrics!.metrics.accuracy, e.accuracy!, `slice ${key} accuracy`);
            close(got.metrics!.metrics.f1_macro, e.f1_macro!, `slice ${key} f1_macro`);
            close(got.metrics!.metrics.log_loss, e.log_loss!, `slice ${key} log_loss`);
            if (e.roc_auc !== undefined)
              close(got.metrics!.metrics.roc_auc, e.roc_auc, `slice ${key} roc_auc`);
          }
        }
      });
    });
  }
});

describe(`scikit-learn ${fixtures.sklearn_version} fixtures: regression`, () => {
  it('has cases', () => expect(fixtures.regression.length).toBeGreaterThanOrEqual(5));

  for (const c of fixtures.regression) {
    describe(c.name, () => {
      const { y_true: yTrue, y_pred: yPred, expected: x } = c;

      it('metrics and residuals', () => {
        for (const [t, p] of [
          [yTrue, yPred],
          [Float64Array.from(yTrue), Float64Array.from(yPred)],
        ] as const) {
          close(mae(t, p), x.mae, 'mae');
          close(mse(t, p), x.mse, 'mse');
          close(rmse(t, p), x.rmse, 'rmse');
          close(r2(t, p), x.r2, 'r2');
          close(mape(t, p), x.mape, 'mape');
          const res = residual_summary(t, p);
          for (const [key, value] of Object.entries(x.residuals))
            close(res[key as keyof typeof res], value, `residuals.${key}`);
        }
      });

      it('regressionReport agrees and is JSON-safe', () => {
        const report = regressionReport({
          yTrue,
          yPred,
          ...(c.slices ? { slices: { region: c.slices.values } } : {}),
        });
        expectJsonSafe(report);
        close(report.metrics.mae, x.mae, 'report mae');
        close(report.metrics.rmse, x.rmse, 'report rmse');
        close(report.metrics.mape, x.mape, 'report mape');
        if (Number.isNaN(x.r2)) {
          expect(report.metrics.r2).toBeNull();
          expect(report.null_reasons.r2).toMatch(/at least two samples/);
        } else close(report.metrics.r2, x.r2, 'report r2');
        close(report.residuals.p95, x.residuals.p95!, 'report residuals.p95');
        close(report.residual_mean, x.residuals.mean!, 'report residual_mean');
        if (yTrue.includes(0)) expect(report.warnings.join()).toMatch(/zero target/);
        if (c.slices) {
          for (const [key, e] of Object.entries(c.slices.expected)) {
            const got = report.slices!.region!.find((s) => s.value === JSON.parse(key))!;
            expect(got.count).toBe(e.count);
            close(got.metrics!.metrics.mae, e.mae!, `slice ${key} mae`);
            close(got.metrics!.metrics.rmse, e.rmse!, `slice ${key} rmse`);
            close(got.metrics!.metrics.r2, e.r2!, `slice ${key} r2`);
          }
        }
      });
    });
  }
});

describe('reports', () => {
  const large = fixtures.classification.find((c) => c.name === 'binary_large')!;

  it('thins long ROC curves to maxCurvePoints, keeping both ends', () => {
    const report = classificationReport({
      classes: large.classes,
      yTrue: large.y_true,
      proba: large.proba,
      maxCurvePoints: 50,
    });
    const curve = report.roc_curves![0]!;
    expect(curve.thinned).toBe(true);
    expect(curve.fpr).toHaveLength(50);
    expect(curve.total_points).toBe(large.expected.roc_curves[0]!.fpr.length);
    expect([curve.fpr![0], curve.tpr![0], curve.fpr![49], curve.tpr![49]]).toEqual([0, 0, 1, 1]);
    expect(curve.thresholds![0]).toBeNull();
  });

  it('gives null with a reason for undefined metrics', () => {
    const report = classificationReport({
      classes: ['n', 'y'],
      yTrue: ['n', 'n', 'n'],
      proba: [0.1, 0.7, 0.2],
    });
    expectJsonSafe(report);
    expect(report.metrics.roc_auc).toBeNull();
    expect(report.null_reasons.roc_auc).toMatch(/only one class present in y_true \("n"\)/);
    expect(report.metrics.pr_auc).toBeNull();
    expect(report.null_reasons.pr_auc).toMatch(/no sample of the positive class "y"/);
    expect(report.roc_curves![0]!.fpr).toBeNull();
    expect(report.positive_rate).toBeCloseTo(1 / 3, 12);
  });

  it('works from labels alone, without probabilities', () => {
    const report = classificationReport({ classes: [0, 1, 2], yTrue: [0, 1, 2, 2], yPred: [0, 2, 2, 2] });
    expectJsonSafe(report);
    expect(report.metrics.accuracy).toBe(0.75);
    expect(report.metrics.log_loss).toBeNull();
    expect(report.null_reasons.log_loss).toBe('no probabilities given');
    expect(report.roc_curves).toBeNull();
    expect(report.calibration).toBeNull();
  });

  it('reports scores outside [0, 1] instead of a log loss, but still an AUC', () => {
    const report = classificationReport({ classes: [0, 1], yTrue: [0, 1, 1, 0], proba: [-2, 3, 0.5, 1.5] });
    expectJsonSafe(report);
    expect(report.metrics.log_loss).toBeNull();
    expect(report.null_reasons.log_loss).toMatch(/outside \[0, 1\]/);
    expect(report.null_reasons.calibration).toMatch(/outside \[0, 1\]/);
    expect(report.metrics.roc_auc).toBe(0.75);
  });

  it('warns about unnormalised rows and refuses their multiclass AUC', () => {
    const c = fixtures.classification.find((f) => f.name === 'multiclass_unnormalised')!;
    const report = classificationReport({ classes: c.classes, yTrue: c.y_true, proba: c.proba });
    expect(report.warnings.join()).toMatch(/does not renormalise/);
    expect(report.null_reasons.roc_auc).toMatch(/sums to/);
  });

  it('slices: largest first, missing values together, small slices without metrics', () => {
    const slices = metricsBySlice(['x', null, 'y', 'x', Number.NaN, undefined, 'x', 1, '1'], (rows) => rows, {
      minCount: 2,
    });
    expect(slices).toEqual([
      { value: 'x', count: 3, metrics: [0, 3, 6] },
      { value: null, count: 3, metrics: [1, 4, 5] },
      { value: 'y', count: 1, metrics: null, reason: 'fewer than 2 rows' },
      { value: 1, count: 1, metrics: null, reason: 'fewer than 2 rows' },
      { value: '1', count: 1, metrics: null, reason: 'fewer than 2 rows' },
    ]);
  });
});

describe('bad input', () => {
  const classes = ['a', 'b', 'c'];

  it('length mismatch names both lengths', () => {
    expect(() => accuracy(['a', 'b', 'c'], ['a', 'b'], classes)).toThrow(
      /y_true has 3 values but y_pred has 2/,
    );
    expect(() => f1_macro(['a'], ['a', 'b'], classes)).toThrow(/y_true has 1 values but y_pred has 2/);
    expect(() => mae([1, 2, 3], [1, 2])).toThrow(/y_true has 3 values but y_pred has 2/);
    expect(() => regressionReport({ yTrue: [1, 2], yPred: [1, 2], slices: { s: ['a'] } })).toThrow(
      /y_true has 2 values but slices.s has 1/,
    );
    expect(() => accuracy(['a'], ['a', 'a'], classes)).toThrow(MetricsInputError);
  });

  it('probabilities with the wrong number of rows', () => {
    expect(() => log_loss(['a', 'b', 'c'], new Float64Array(8), classes)).toThrow(
      /proba has 8 values .*y_true has 3 samples: expected 3×3 = 9 values/,
    );
    expect(() => roc_auc(['a', 'b'], [0.2, 0.3, 0.5], classes)).toThrow(/expected 2×3 = 6 values/);
    expect(() => roc_auc([0, 1, 1], [0.2, 0.3], [0, 1])).toThrow(
      /expected 3×2 = 6 values, row-major or 3 positive-class probabilities/,
    );
  });

  it('NaN in predictions', () => {
    expect(() => mae([1, 2, 3], [1, Number.NaN, 3])).toThrow(/y_pred\[1\] is NaN/);
    expect(() => roc_auc([0, 1], [0.3, Number.NaN], [0, 1])).toThrow(/proba\[1\] is NaN/);
    expect(() => log_loss(['a'], [0.2, 0.3, Number.NaN], classes)).toThrow(/proba\[2\] is NaN/);
    expect(() => accuracy([0, 1], [0, Number.NaN], [0, 1])).toThrow(/y_pred\[1\] is NaN/);
    expect(() => r2([1, Number.POSITIVE_INFINITY], [1, 2])).toThrow(/y_true\[1\] is Infinity/);
  });

  it('empty input', () => {
    expect(() => accuracy([], [], classes)).toThrow(/y_true is empty/);
    expect(() => mse([], [])).toThrow(/y_true is empty/);
    expect(() => roc_auc([], [], [0, 1])).toThrow(/y_true is empty/);
    expect(() => classificationReport({ classes, yTrue: [], yPred: [] })).toThrow(/y_true is empty/);
    expect(() => regressionReport({ yTrue: [], yPred: [] })).toThrow(/y_true is empty/);
  });

  it('a label that is not in classes', () => {
    expect(() => accuracy(['a', 'z'], ['a', 'a'], classes)).toThrow(
      /y_true\[1\] is "z", which is not one of classes \["a", "b", "c"\]/,
    );
    expect(() => precision_macro(['a', 'b'], ['a', 'd'], classes)).toThrow(/y_pred\[1\] is "d"/);
    expect(() => log_loss([1, '0'], [0.5, 0.5], [0, 1])).toThrow(
      /y_true\[1\] is "0", which is not one of classes \[0, 1\]/,
    );
    expect(() => roc_curve(['a', 'b'], [1, 0, 0, 0, 1, 0], classes, 'q')).toThrow(/positive is "q"/);
  });

  it('bad class lists, bad probabilities, missing predictions', () => {
    expect(() => accuracy(['a'], ['a'], ['a'])).toThrow(/at least two classes/);
    expect(() => accuracy(['a'], ['a'], ['a', 'b', 'a'])).toThrow(/classes lists "a" twice/);
    expect(() => log_loss([0, 1], [0.5, 1.5], [0, 1])).toThrow(
      /proba\[1\] is 1.5: probabilities must lie within \[0, 1\]/,
    );
    expect(() => classificationReport({ classes, yTrue: ['a'] })).toThrow(/needs yPred, proba, or both/);
  });
});
