import { solveSpd } from './cholesky';
import {
  checkInteger,
  checkNonNegative,
  checkPositive,
  type Dataset,
  fail,
  fitStandardizer,
  type ProgressCallback,
  readColumns,
  readLabels,
  requireTwoClasses,
  softplus,
  type Standardizer,
  standardizedRows,
  throwIfAborted,
  yieldToEventLoop,
} from './data';
import type { Task } from '../task';
import { ModelInputError } from './errors';
import { lbfgs } from './lbfgs';
import { LinearModel, type SolverRecord } from './model';

/** Logistic (binary) or softmax (multiclass) regression with an L2 penalty on the coefficients. */
export interface LogisticParams {
  task: Exclude<Task, 'regression'>;
  /** Classes for multiclass (default: largest label + 1). */
  numClasses?: number;
  /**
   * L2 strength λ: the solver minimises Σᵢ logloss(rowᵢ) + λ/2·‖w‖² over the raw-feature coefficients
   * (intercepts are not penalised). λ = 1/C of scikit-learn's `LogisticRegression` (default 1).
   */
  l2?: number;
  /** Solver iterations: Newton steps for binary (default 100), L-BFGS steps for multiclass (default 1000). */
  maxIterations?: number;
  /** Stop when the largest gradient component of the per-row objective is below this (default 1e-10). */
  tol?: number;
}

/** Ridge regression: minimises ½Σᵢ(yᵢ − ŷᵢ)² + λ/2·‖w‖², i.e. scikit-learn's `Ridge(alpha=λ)`. */
export interface RidgeParams {
  /** Default 1; 0 is ordinary least squares (needs linearly independent features). */
  l2?: number;
}

export interface LinearTrainOptions {
  /** Called after each solver iteration with the objective per row; awaited. */
  readonly onProgress?: ProgressCallback;
  /** Checked once per solver iteration; training then rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
}

interface Prepared {
  z: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
  numClasses: number;
  std: Standardizer;
  /** Per-feature penalty in the standardised space: λ / scaleⱼ² (so the raw coefficients are penalised). */
  pen: Float64Array;
}

function prepare(
  train: Dataset,
  task: Task,
  l2: number,
  numClasses?: number,
): Prepared {
  const { columns, numRows, numFeatures } = readColumns(train.features, 'training features');
  if (numRows === 0) throw new ModelInputError('training features: no rows; training needs at least one row');
  const labels = readLabels(train.labels, numRows, task, 'training labels', numClasses);
  requireTwoClasses(labels.labels, task);
  const std = fitStandardizer(columns);
  const pen = Float64Array.from(std.scale, (s) => l2 / (s * s));
  return {
    z: standardizedRows(columns, std),
    y: labels.labels,
    n: numRows,
    d: numFeatures,
    numClasses: labels.numClasses,
    std,
    pen,
  };
}

/** Raw-feature coefficients from standardised-space ones: wⱼ = vⱼ/sⱼ, b = c − Σ vⱼ mⱼ/sⱼ. */
function unstandardize(theta: Float64Array, outputs: number, std: Standardizer) {
  const d = std.mean.length;
  const coef: number[] = [];
  const intercept: number[] = [];
  for (let k = 0; k < outputs; k++) {
    let b = theta[k * (d + 1) + d]!;
    for (let j = 0; j < d; j++) {
      const w = theta[k * (d + 1) + j]! / std.scale[j]!;
      coef.push(w);
      b -= w * std.mean[j]!;
    }
    intercept.push(b);
  }
  return { coef, intercept };
}

/**
 * Trains a logistic (binary, Newton/IRLS with Cholesky) or softmax (multiclass, L-BFGS) regression.
 * Features are standardised internally (missing values become the training mean) but the penalty and
 * the returned coefficients are on the raw features. Rejects with a `ModelInputError` on bad input and
 * with an `AbortError` when `options.signal` is aborted (checked every iteration).
 */
export async function trainLogistic(
  train: Dataset,
  params: LogisticParams,
  options: LinearTrainOptions = {},
): Promise<LinearModel> {
  if (params.task !== 'binary' && params.task !== 'multiclass') {
    fail('task', params.task, "'binary' or 'multiclass' (use trainRidge for regression)");
  }
  const l2 = params.l2 ?? 1;
  checkNonNegative('l2', l2);
  const tol = params.tol ?? 1e-10;
  checkPositive('tol', tol);
  const maxIterations = params.maxIterations ?? (params.task === 'binary' ? 100 : 1000);
  checkInteger('maxIterations', maxIterations, 1);
  if (params.numClasses !== undefined) {
    if (params.task !== 'multiclass')
      fail('numClasses', params.numClasses, 'left out unless the task is multiclass');
    checkInteger('numClasses', params.numClasses, 2);
  }
  throwIfAborted(options.signal, 'iteration 0');
  const data = prepare(train, params.task, l2, params.numClasses);
  const history: SolverRecord[] = [];
  const progress = async (iteration: number, loss: number) => {
    history.push({ iteration, loss });
    await options.onProgress?.(iteration, loss, undefined);
    await yieldToEventLoop();
    throwIfAborted(options.signal, `iteration ${iteration + 1}`);
  };
  const result =
    params.task === 'binary'
      ? await newtonBinary(data, maxIterations, tol, progress)
      : await softmaxLbfgs(data, maxIterations, tol, progress);
  const outputs = params.task === 'binary' ? 1 : data.numClasses;
  return new LinearModel({
    task: params.task,
    numClasses: data.numClasses,
    numFeatures: data.d,
    ...unstandardize(result.theta, outputs, data.std),
    featureMean: Array.from(data.std.mean),
    featureScale: Array.from(data.std.scale),
    iterations: result.iterations,
    converged: result.converged,
    history,
  });
}

type Progress = (iteration: number, loss: number) => Promise<void>;

interface SolveResult {
  theta: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Objective per row of a binary logistic model at θ = [v, c]; fills the score per row. */
function binaryLoss(data: Prepared, theta: Float64Array, scores: Float64Array): number {
  const { z, y, n, d, pen } = data;
  let total = 0;
  for (let i = 0, r = 0; i < n; i++, r += d) {
    let s = theta[d]!;
    for (let j = 0; j < d; j++) s += z[r + j]! * theta[j]!;
    scores[i] = s;
    total += softplus(s) - y[i]! * s;
  }
  for (let j = 0; j < d; j++) total += 0.5 * pen[j]! * theta[j]! * theta[j]!;
  return total / n;
}

async function newtonBinary(
  data: Prepared,
  maxIterations: number,
  tol: number,
  progress: Progress,
): Promise<SolveResult> {
  const { z, y, n, d, pen } = data;
  const m = d + 1;
  let theta = new Float64Array(m);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  theta[d] = Math.log(mean / (1 - mean));
  const scores = new Float64Array(n);
  let loss = binaryLoss(data, theta, scores);
  const h = new Float64Array(m * m);
  const g = new Float64Array(m);
  const row = new Float64Array(m);
  row[d] = 1;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    h.fill(0);
    g.fill(0);
    for (let i = 0, r = 0; i < n; i++, r += d) {
      const p = 1 / (1 + Math.exp(-scores[i]!));
      const resid = p - y[i]!;
      const w = Math.max(p * (1 - p), 1e-300);
      for (let j = 0; j < d; j++) row[j] = z[r + j]!;
      for (let a = 0; a < m; a++) {
        const wa = w * row[a]!;
        g[a]! += resid * row[a]!;
        const off = a * m;
        for (let b = 0; b <= a; b++) h[off + b]! += wa * row[b]!;
      }
    }
    for (let a = 0; a < m; a++) {
      if (a < d) {
        g[a]! += pen[a]! * theta[a]!;
        h[a * m + a]! += pen[a]!;
      }
      for (let b = 0; b < a; b++) h[b * m + a] = h[a * m + b]!;
    }
    let gmax = 0;
    for (let a = 0; a < m; a++) gmax = Math.max(gmax, Math.abs(g[a]! / n));
    if (gmax <= tol) return { theta, iterations: iteration - 1, converged: true };
    const step = solveSpd(h, m, g);
    if (!step)
      throw new ModelInputError('training features: the Hessian is singular; add an L2 penalty (l2 > 0)');
    let decrement = 0;
    for (let a = 0; a < m; a++) decrement += g[a]! * step[a]!;
    decrement /= n;
    // Backtracking on the Newton step.
    let t = 1;
    let next = new Float64Array(m);
    let nextLoss = loss;
    for (let ls = 0; ls < 50; ls++) {
      for (let a = 0; a < m; a++) next[a] = theta[a]! - t * step[a]!;
      nextLoss = binaryLoss(data, next, scores);
      if (nextLoss <= loss - 1e-4 * t * decrement || nextLoss <= loss + 1e-15 * Math.abs(loss)) break;
      t *= 0.5;
    }
    [theta, next] = [next, theta];
    loss = nextLoss;
    await progress(iteration, loss);
    if (decrement < 1e-24) return { theta, iterations: iteration, converged: true };
  }
  return { theta, iterations: maxIterations, converged: false };
}

async function softmaxLbfgs(
  data: Prepared,
  maxIterations: number,
  tol: number,
  progress: Progress,
): Promise<SolveResult> {
  const { z, y, n, d, pen, numClasses: K } = data;
  const m = d + 1;
  const s = new Float64Array(K);
  const fg = (theta: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let total = 0;
    for (let i = 0, r = 0; i < n; i++, r += d) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        const o = k * m;
        let v = theta[o + d]!;
        for (let j = 0; j < d; j++) v += z[r + j]! * theta[o + j]!;
        s[k] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += s[k] = Math.exp(s[k]! - max);
      const label = y[i]!;
      total += max + Math.log(sum);
      for (let k = 0; k < K; k++) {
        const o = k * m;
        const p = s[k]! / sum;
        const resid = p - (k === label ? 1 : 0);
        if (k === label) total -= max + Math.log(s[k]!);
        for (let j = 0; j < d; j++) g[o + j]! += resid * z[r + j]!;
        g[o + d]! += resid;
      }
    }
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < d; j++) {
        const v = theta[k * m + j]!;
        total += 0.5 * pen[j]! * v * v;
        g[k * m + j]! += pen[j]! * v;
      }
    }
    for (let a = 0; a < g.length; a++) g[a]! /= n;
    return total / n;
  };
  // Start from the class priors (log frequencies) as intercepts.
  const theta0 = new Float64Array(K * m);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[y[i]!]! += 1;
  for (let k = 0; k < K; k++) theta0[k * m + d] = Math.log(Math.max(counts[k]!, 0.5) / n);
  const result = await lbfgs(fg, theta0, { gtol: tol, maxIterations, onIteration: progress });
  // Softmax intercepts are defined up to a shared constant (unpenalised): report them summing to 0.
  const theta = result.x;
  let shift = 0;
  for (let k = 0; k < K; k++) shift += theta[k * m + d]! / K;
  for (let k = 0; k < K; k++) theta[k * m + d]! -= shift;
  return { theta, iterations: result.iterations, converged: result.converged };
}

/**
 * Ridge regression in closed form (normal equations solved by Cholesky; the intercept is not
 * penalised). Missing values become the training mean. Rejects with a `ModelInputError` on bad input.
 */
export async function trainRidge(
  train: Dataset,
  params: RidgeParams = {},
  options: LinearTrainOptions = {},
): Promise<LinearModel> {
  const l2 = params.l2 ?? 1;
  checkNonNegative('l2', l2);
  throwIfAborted(options.signal, 'iteration 0');
  const data = prepare(train, 'regression', l2);
  const { z, y, n, d, pen } = data;
  const m = d + 1;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  const row = new Float64Array(m);
  row[d] = 1;
  for (let i = 0, r = 0; i < n; i++, r += d) {
    for (let j = 0; j < d; j++) row[j] = z[r + j]!;
    const yi = y[i]!;
    for (let p = 0; p < m; p++) {
      const v = row[p]!;
      b[p]! += v * yi;
      const off = p * m;
      for (let q = 0; q <= p; q++) a[off + q]! += v * row[q]!;
    }
  }
  for (let p = 0; p < m; p++) {
    if (p < d) a[p * m + p]! += pen[p]!;
    for (let q = 0; q < p; q++) a[q * m + p] = a[p * m + q]!;
  }
  const theta = solveSpd(a, m, b);
  if (!theta) {
    throw new ModelInputError('training features: the normal equations are singular; use l2 > 0');
  }
  let loss = 0;
  for (let i = 0, r = 0; i < n; i++, r += d) {
    let s = theta[d]!;
    for (let j = 0; j < d; j++) s += z[r + j]! * theta[j]!;
    loss += 0.5 * (y[i]! - s) ** 2;
  }
  for (let j = 0; j < d; j++) loss += 0.5 * pen[j]! * theta[j]! ** 2;
  loss /= n;
  await options.onProgress?.(1, loss, undefined);
  throwIfAborted(options.signal, 'iteration 1');
  return new LinearModel({
    task: 'regression',
    numClasses: 1,
    numFeatures: d,
    ...unstandardize(theta, 1, data.std),
    featureMean: Array.from(data.std.mean),
    featureScale: Array.from(data.std.scale),
    iterations: 1,
    converged: true,
    history: [{ iteration: 1, loss }],
  });
}
