// Reliability diagram data: like scikit-learn's calibration_curve(strategy='uniform'), plus per-bin counts.
import { type EncodedProba, encodeProba } from './classification';
import {
  type Label,
  type Labels,
  type Numbers,
  MetricsInputError,
  probaColumn,
  requireProbabilities,
  showLabel,
} from './validate';

/** One probability bin of a calibration curve. */
export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  /** Samples whose predicted probability falls in the bin. */
  readonly count: number;
  /** Mean predicted probability in the bin; null when the bin is empty. */
  readonly mean_predicted: number | null;
  /** Fraction of the bin's samples that belong to the class; null when the bin is empty. */
  readonly fraction_positive: number | null;
}

/** Calibration of one class's predicted probability. */
export interface CalibrationCurve {
  readonly class: Label;
  /** Fraction of positives per non-empty bin (`prob_true` of `calibration_curve`). */
  readonly prob_true: number[];
  /** Mean predicted probability per non-empty bin (`prob_pred` of `calibration_curve`). */
  readonly prob_pred: number[];
  /** Every bin, empty ones included, with its sample count. */
  readonly bins: CalibrationBin[];
}

/** Calibration curve of class `c` from encoded inputs (see {@link calibration_curve}). */
export function calibrationOf(e: EncodedProba, c: number, nBins = 10): CalibrationCurve {
  if (!Number.isInteger(nBins) || nBins < 1)
    throw new MetricsInputError(`nBins is ${nBins}: it must be a positive integer`);
  requireProbabilities('proba', e.proba);
  const p = probaColumn(e.proba, c);
  // numpy.linspace(0, 1, nBins + 1): i * (1 / nBins), the last edge exactly 1.
  const step = 1 / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  const sums = new Float64Array(nBins);
  const trues = new Float64Array(nBins);
  const totals = new Float64Array(nBins);
  for (let i = 0; i < p.length; i++) {
    // numpy.searchsorted(edges[1:-1], p, side='left'): the number of inner edges strictly below p.
    const v = p[i]!;
    let lo = 0;
    let hi = nBins - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid + 1]! < v) lo = mid + 1;
      else hi = mid;
    }
    sums[lo] = sums[lo]! + v;
    trues[lo] = trues[lo]! + (e.yTrue[i] === c ? 1 : 0);
    totals[lo] = totals[lo]! + 1;
  }
  const probTrue: number[] = [];
  const probPred: number[] = [];
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const total = totals[b]!;
    const fraction = total === 0 ? null : trues[b]! / total;
    const meanPred = total === 0 ? null : sums[b]! / total;
    if (fraction !== null && meanPred !== null) {
      probTrue.push(fraction);
      probPred.push(meanPred);
    }
    bins.push({
      lower: edges[b]!,
      upper: edges[b + 1]!,
      count: total,
      mean_predicted: meanPred,
      fraction_positive: fraction,
    });
  }
  return { class: e.ci.classes[c]!, prob_true: probTrue, prob_pred: probPred, bins };
}

/**
 * Calibration curve of `positive` (default `classes[1]`) against the rest, like
 * `calibration_curve(y_true == positive, proba_of_positive, n_bins=nBins, strategy='uniform')`, with counts per bin.
 */
export function calibration_curve(
  yTrue: Labels,
  proba: Numbers,
  classes: Labels,
  options: { positive?: Label; nBins?: number } = {},
): CalibrationCurve {
  const e = encodeProba(yTrue, proba, classes);
  const c = options.positive === undefined ? 1 : e.ci.index.get(options.positive);
  if (c === undefined)
    throw new MetricsInputError(`positive is ${showLabel(options.positive)}, which is not one of classes`);
  return calibrationOf(e, c, options.nBins ?? 10);
}
