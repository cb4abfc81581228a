// Regression metrics with scikit-learn's definitions (mean_absolute_error, mean_squared_error,
// root_mean_squared_error, r2_score with force_finite=True, mean_absolute_percentage_error).
import { mean, pairwiseSum, percentileSorted, std } from './numeric';
import { type Numbers, requireNonEmpty, requireSameLength, toFiniteArray } from './validate';

/** Targets and predictions, validated as finite and of equal, non-zero length. */
export interface RegressionPair {
  readonly yTrue: Float64Array;
  readonly yPred: Float64Array;
}

/** Validates regression inputs once for several metrics. */
export function regressionPair(yTrue: Numbers, yPred: Numbers): RegressionPair {
  requireNonEmpty('y_true', yTrue.length);
  requireSameLength('y_true', yTrue.length, 'y_pred', yPred.length);
  return { yTrue: toFiniteArray('y_true', yTrue), yPred: toFiniteArray('y_pred', yPred) };
}

function mapPair(p: RegressionPair, f: (t: number, y: number) => number): Float64Array {
  const out = new Float64Array(p.yTrue.length);
  for (let i = 0; i < out.length; i++) out[i] = f(p.yTrue[i]!, p.yPred[i]!);
  return out;
}

/** Mean absolute error from a validated pair. */
export function maeOf(p: RegressionPair): number {
  return mean(mapPair(p, (t, y) => Math.abs(y - t)));
}

/** Mean squared error from a validated pair. */
export function mseOf(p: RegressionPair): number {
  return mean(mapPair(p, (t, y) => (t - y) * (t - y)));
}

/** R² from a validated pair: NaN below two samples; 1 for a perfect fit and 0 for a constant target otherwise (force_finite). */
export function r2Of(p: RegressionPair): number {
  if (p.yTrue.length < 2) return Number.NaN;
  const numerator = pairwiseSum(mapPair(p, (t, y) => (t - y) * (t - y)));
  const m = mean(p.yTrue);
  const denominator = pairwiseSum(p.yTrue.map((t) => (t - m) * (t - m)));
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

/** MAPE from a validated pair: |y − ŷ| / max(|y|, ε) averaged, ε = float64 machine epsilon. */
export function mapeOf(p: RegressionPair): number {
  return mean(mapPair(p, (t, y) => Math.abs(y - t) / Math.max(Math.abs(t), Number.EPSILON)));
}

/** Mean absolute error (`mean_absolute_error`). */
export function mae(yTrue: Numbers, yPred: Numbers): number {
  return maeOf(regressionPair(yTrue, yPred));
}

/** Mean squared error (`mean_squared_error`). */
export function mse(yTrue: Numbers, yPred: Numbers): number {
  return mseOf(regressionPair(yTrue, yPred));
}

/** Root mean squared error (`root_mean_squared_error`). */
export function rmse(yTrue: Numbers, yPred: Numbers): number {
  return Math.sqrt(mse(yTrue, yPred));
}

/** Coefficient of determination (`r2_score`, force_finite=True); NaN with fewer than two samples, as scikit-learn. */
export function r2(yTrue: Numbers, yPred: Numbers): number {
  return r2Of(regressionPair(yTrue, yPred));
}

/**
 * Mean absolute percentage error as a fraction (`mean_absolute_percentage_error`): a zero target divides by
 * machine epsilon instead, so it yields a huge but finite value, exactly as scikit-learn.
 */
export function mape(yTrue: Numbers, yPred: Numbers): number {
  return mapeOf(regressionPair(yTrue, yPred));
}

/** Distribution of residuals y_true − y_pred. */
export interface ResidualSummary {
  readonly mean: number;
  /** Population standard deviation (ddof = 0, numpy's default). */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Percentiles with numpy's default linear interpolation. */
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
}

/** Residual summary from a validated pair. */
export function residualSummaryOf(p: RegressionPair): ResidualSummary {
  const r = mapPair(p, (t, y) => t - y);
  const sorted = Float64Array.from(r).sort();
  return {
    mean: mean(r),
    std: std(r),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p5: percentileSorted(sorted, 5),
    p50: percentileSorted(sorted, 50),
    p95: percentileSorted(sorted, 95),
  };
}

/** Mean, standard deviation, min, max and 5th/50th/95th percentiles of the residuals y_true − y_pred. */
export function residual_summary(yTrue: Numbers, yPred: Numbers): ResidualSummary {
  return residualSummaryOf(regressionPair(yTrue, yPred));
}
