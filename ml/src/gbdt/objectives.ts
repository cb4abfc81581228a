import { GbdtInputError } from './errors';
import type { MetricName, ObjectiveName } from './types';

/**
 * Per-row gradient and hessian pairs of one output, interleaved (`[g0, h0, g1, h1, …]`). Float32, as
 * LightGBM's `score_t`: histograms still sum them in float64, and half the bytes make the histogram
 * builds of nodes whose rows are scattered over the training set about 30 % faster (they wait on
 * memory: the pairs of a node's rows are read from all over the array).
 */
export type GradientPairs = Float32Array;

/**
 * A differentiable loss. Raw scores are kept per output (one `Float64Array` of rows per tree slot of
 * an iteration: one for binary and regression, one per class for multiclass).
 */
export interface Objective {
  readonly name: ObjectiveName;
  readonly metric: MetricName;
  /** Trees per iteration (classes for multiclass, else 1). */
  readonly numOutputs: number;
  /** The constant raw score that minimises the loss, per output. */
  initScores(labels: Float64Array): number[];
  /** Its gradient pass, as an index into {@link GRADIENT_KERNELS} (worker threads run the kernels too). */
  readonly kernel: number;
  /**
   * Writes per-row gradient and hessian pairs (`[g0, h0, g1, h1, …]`, one array per output) and
   * returns the mean loss at the same scores (computed in the same pass, it is nearly free).
   */
  gradients(scores: readonly Float64Array[], labels: Float64Array, gradHess: readonly GradientPairs[]): number;
  /** Mean loss; also the validation metric (logloss, multi-logloss or mean squared error). */
  loss(scores: readonly Float64Array[], labels: Float64Array): number;
}

/** `log(1 + e^x)` without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Adds `log(v)` (for `v >= 1`) to `acc = [running product, summed logs]` through the product: one
 * `Math.log` per few hundred rows instead of one per row (a log costs more than the rest of a row's
 * gradient work). The total is `acc[1] + Math.log(acc[0])`.
 *
 * Self-contained on purpose: worker threads run its source text, beside the gradient kernels.
 */
export function addLog(acc: Float64Array, v: number): void {
  const p = acc[0]! * v;
  if (p > 1e250) {
    acc[1]! += Math.log(acc[0]!) + Math.log(v);
    acc[0] = 1;
  } else {
    acc[0] = p;
  }
}

/*
 * Gradient kernels: write the gradient and hessian pairs of rows `[from, to)` and return the rows'
 * summed loss. Self-contained but for `addLog` (worker threads run their source text).
 */

function binaryGradients(
  scores: readonly Float64Array[],
  labels: Float64Array,
  gradHess: readonly GradientPairs[],
  from: number,
  to: number,
): number {
  const s = scores[0]!;
  const gh = gradHess[0]!;
  const logs = Float64Array.of(1, 0);
  let shift = 0;
  for (let i = from; i < to; i++) {
    const si = s[i]!;
    const e = Math.exp(-si);
    const p = 1 / (1 + e);
    const y = labels[i]!;
    gh[2 * i] = p - y;
    gh[2 * i + 1] = Math.max(p * (1 - p), 1e-16);
    // −log p = log(1 + e^−s); −log(1 − p) = that + s.
    addLog(logs, 1 + e);
    if (y !== 1) shift += si;
  }
  return logs[1]! + Math.log(logs[0]!) + shift;
}

function regressionGradients(
  scores: readonly Float64Array[],
  labels: Float64Array,
  gradHess: readonly GradientPairs[],
  from: number,
  to: number,
): number {
  const s = scores[0]!;
  const gh = gradHess[0]!;
  let total = 0;
  for (let i = from; i < to; i++) {
    const d = s[i]! - labels[i]!;
    gh[2 * i] = d;
    gh[2 * i + 1] = 1;
    total += d * d;
  }
  return total;
}

function multiclassGradients(
  scores: readonly Float64Array[],
  labels: Float64Array,
  gradHess: readonly GradientPairs[],
  from: number,
  to: number,
): number {
  const K = scores.length;
  const row = new Float64Array(K);
  // −log pᵧ = max + log Σ e^(s − max) − sᵧ; the logs are summed through products.
  const logs = Float64Array.of(1, 0);
  let shift = 0;
  for (let i = from; i < to; i++) {
    const y = labels[i]!;
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, scores[k]![i]!);
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(scores[k]![i]! - max);
      row[k] = e;
      sum += e;
    }
    addLog(logs, sum);
    shift += max - scores[y]![i]!;
    for (let k = 0; k < K; k++) {
      const p = row[k]! / sum;
      const gh = gradHess[k]!;
      gh[2 * i] = k === y ? p - 1 : p;
      gh[2 * i + 1] = Math.max(p * (1 - p), 1e-16);
    }
  }
  return logs[1]! + Math.log(logs[0]!) + shift;
}

/** The gradient kernels, by `Objective.kernel`. */
export const GRADIENT_KERNELS = [binaryGradients, regressionGradients, multiclassGradients] as const;

/**
 * Rows per gradient block. The loss is summed per block, then over blocks in order, however many
 * threads computed the blocks, so it does not depend on the thread count.
 */
export const GRADIENT_BLOCK = 65_536;

/** An objective with its `gradients` on the calling thread: its kernel, block by block. */
function withGradients(objective: Omit<Objective, 'gradients'>): Objective {
  const kernel = GRADIENT_KERNELS[objective.kernel]!;
  return {
    ...objective,
    gradients(scores, labels, gradHess) {
      const n = labels.length;
      let total = 0;
      for (let from = 0; from < n; from += GRADIENT_BLOCK) {
        total += kernel(scores, labels, gradHess, from, Math.min(n, from + GRADIENT_BLOCK));
      }
      return total / n;
    },
  };
}

/** `1 / (1 + e^−x)`; saturates cleanly to 0 or 1. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Binary log-loss on labels 0/1; raw score = log-odds of class 1. */
export const binaryObjective: Objective = withGradients({
  name: 'binary',
  metric: 'logloss',
  numOutputs: 1,
  initScores(labels) {
    let pos = 0;
    for (let i = 0; i < labels.length; i++) pos += labels[i]!;
    const p = pos / labels.length;
    return [Math.log(p / (1 - p))];
  },
  kernel: 0,
  loss(scores, labels) {
    const s = scores[0]!;
    let total = 0;
    for (let i = 0; i < s.length; i++) total += labels[i] === 1 ? softplus(-s[i]!) : softplus(s[i]!);
    return total / s.length;
  },
});

/** L2 regression; raw score = prediction. The metric is the mean squared error. */
export const regressionObjective: Objective = withGradients({
  name: 'regression',
  metric: 'l2',
  numOutputs: 1,
  initScores(labels) {
    let sum = 0;
    for (let i = 0; i < labels.length; i++) sum += labels[i]!;
    return [sum / labels.length];
  },
  kernel: 1,
  loss(scores, labels) {
    const s = scores[0]!;
    let total = 0;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]! - labels[i]!;
      total += d * d;
    }
    return total / s.length;
  },
});

/** Softmax cross-entropy over `numClasses` classes labelled 0..K−1; one raw score per class. */
export function multiclassObjective(numClasses: number): Objective {
  const K = numClasses;
  const row = new Float64Array(K);
  return withGradients({
    name: 'multiclass',
    metric: 'multi_logloss',
    numOutputs: K,
    initScores(labels) {
      const counts = new Float64Array(K);
      for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
      return Array.from(counts, (c) => Math.log(Math.max(c / labels.length, 1e-15)));
    },
    kernel: 2,
    loss(scores, labels) {
      const n = labels.length;
      let total = 0;
      for (let i = 0; i < n; i++) total += softmaxRow(scores, i, row) - scores[labels[i]!]![i]!;
      return total / n;
    },
  });
}

/** Softmax of row `i` of per-class scores into `out`; returns the row's log-sum-exp. */
export function softmaxRow(scores: readonly Float64Array[], i: number, out: Float64Array): number {
  const K = out.length;
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, scores[k]![i]!);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(scores[k]![i]! - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) out[k]! /= sum;
  return max + Math.log(sum);
}

/**
 * Checks labels against the objective and returns them as a `Float64Array`, plus the objective.
 * `what` names the data in messages ("training labels", …).
 */
export function checkLabels(
  labels: ArrayLike<number>,
  numRows: number,
  objective: ObjectiveName,
  what: string,
  numClasses?: number,
): { labels: Float64Array; numClasses: number } {
  if (labels.length !== numRows) {
    throw new GbdtInputError(`${what}: ${labels.length} labels for ${numRows} rows; give one label per row`);
  }
  const y = Float64Array.from(labels);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new GbdtInputError(`${what}: label at row ${i} is ${y[i]}; labels must be finite numbers`);
    }
  }
  if (objective === 'regression') return { labels: y, numClasses: 1 };
  if (objective === 'binary') {
    const bad = y.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0)
      throw new GbdtInputError(`${what}: label at row ${bad} is ${y[bad]}; binary labels must be 0 or 1`);
    return { labels: y, numClasses: 2 };
  }
  const bad = y.findIndex(
    (v) => !Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses),
  );
  if (bad >= 0) {
    const range = numClasses !== undefined ? `0..${numClasses - 1}` : 'integers from 0';
    throw new GbdtInputError(`${what}: label at row ${bad} is ${y[bad]}; multiclass labels must be ${range}`);
  }
  let max = 0;
  for (let i = 0; i < y.length; i++) max = Math.max(max, y[i]!);
  return { labels: y, numClasses: numClasses ?? max + 1 };
}

/** Throws unless at least two classes occur in the training labels. */
export function requireTwoClasses(labels: Float64Array, objective: ObjectiveName): void {
  if (objective === 'regression') return;
  const first = labels[0];
  if (labels.every((v) => v === first)) {
    throw new GbdtInputError(
      `training labels: every row has class ${first}; a ${objective} classifier needs at least two classes`,
    );
  }
}
