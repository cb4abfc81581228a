import { Rng } from '../gbdt/random';
import {
  checkInteger,
  checkNonNegative,
  checkPositive,
  checkTask,
  type Dataset,
  fail,
  fitStandardizer,
  type ProgressCallback,
  readColumns,
  readLabels,
  requireTwoClasses,
  softplus,
  standardizedRows,
  type Task,
  throwIfAborted,
  yieldToEventLoop,
} from '../linear/data';
import { ModelInputError } from '../linear/errors';
import { type EpochRecord, MlpModel } from './model';
import { type Activation, Network } from './network';

/** MLP settings; defaults follow scikit-learn's `MLPClassifier`/`MLPRegressor` where they exist. */
export interface MlpParams {
  task: Task;
  /** Classes for multiclass (default: largest label + 1). */
  numClasses?: number;
  /** Units per hidden layer (default [100]); [] is a linear model. */
  hiddenLayers?: number[];
  /** Hidden activation (default relu). */
  activation?: Activation;
  /** Adam step size (default 1e-3). */
  learningRate?: number;
  /** Rows per mini-batch (default min(200, rows)). */
  batchSize?: number;
  /** Epochs at most (default 200). */
  maxEpochs?: number;
  /** L2 on the weights (not biases), scikit-learn's `alpha`: each batch adds alpha/(2·batch)·‖W‖² (default 1e-4). */
  l2?: number;
  /** Dropout rate on hidden units during training, in [0, 1) (default 0). Off at inference. */
  dropout?: number;
  /** Seed for initialisation, shuffling, dropout and the validation split (default 0). */
  seed?: number;
  /**
   * Hold out `validationFraction` of the training rows (seeded) and stop when the validation loss has
   * not improved by `tol` for `patience` epochs, keeping the best epoch's parameters (default true).
   * With `options.valid` that set is used instead. Otherwise (false) training stops when the
   * training loss stalls the same way (scikit-learn's rule) and `options.valid` is only reported.
   */
  earlyStopping?: boolean;
  /** Default 0.1. */
  validationFraction?: number;
  /** Default 10 (scikit-learn's `n_iter_no_change`). */
  patience?: number;
  /** Default 1e-4. */
  tol?: number;
}

export interface MlpTrainOptions {
  /** Validation data for early stopping and the `validMetric` passed to `onProgress`. */
  readonly valid?: Dataset;
  /** Called after every epoch with (epoch, train loss, validation loss); awaited. */
  readonly onProgress?: ProgressCallback;
  /** Checked after every epoch (the event loop gets a turn first); training then rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
}

interface Resolved {
  task: Task;
  numClasses: number | undefined;
  hiddenLayers: number[];
  activation: Activation;
  learningRate: number;
  batchSize: number | undefined;
  maxEpochs: number;
  l2: number;
  dropout: number;
  seed: number;
  earlyStopping: boolean;
  validationFraction: number;
  patience: number;
  tol: number;
}

function resolve(params: MlpParams): Resolved {
  const task = checkTask(params.task);
  const p: Resolved = {
    task,
    numClasses: params.numClasses,
    hiddenLayers: params.hiddenLayers ?? [100],
    activation: params.activation ?? 'relu',
    learningRate: params.learningRate ?? 1e-3,
    batchSize: params.batchSize,
    maxEpochs: params.maxEpochs ?? 200,
    l2: params.l2 ?? 1e-4,
    dropout: params.dropout ?? 0,
    seed: params.seed ?? 0,
    earlyStopping: params.earlyStopping ?? true,
    validationFraction: params.validationFraction ?? 0.1,
    patience: params.patience ?? 10,
    tol: params.tol ?? 1e-4,
  };
  if (!Array.isArray(p.hiddenLayers)) fail('hiddenLayers', p.hiddenLayers, 'an array of layer sizes');
  p.hiddenLayers.forEach((units, i) => checkInteger(`hiddenLayers[${i}]`, units, 1));
  if (p.activation !== 'relu' && p.activation !== 'tanh')
    fail('activation', p.activation, "'relu' or 'tanh'");
  checkPositive('learningRate', p.learningRate);
  if (p.batchSize !== undefined) checkInteger('batchSize', p.batchSize, 1);
  checkInteger('maxEpochs', p.maxEpochs, 1);
  checkNonNegative('l2', p.l2);
  if (!(p.dropout >= 0 && p.dropout < 1)) fail('dropout', p.dropout, 'in [0, 1)');
  if (!Number.isFinite(p.seed)) fail('seed', p.seed, 'a finite number');
  if (!(p.validationFraction > 0 && p.validationFraction < 1)) {
    fail('validationFraction', p.validationFraction, 'in (0, 1)');
  }
  checkInteger('patience', p.patience, 1);
  checkNonNegative('tol', p.tol);
  if (p.numClasses !== undefined) {
    if (task !== 'multiclass') fail('numClasses', p.numClasses, 'left out unless the task is multiclass');
    checkInteger('numClasses', p.numClasses, 2);
  }
  return p;
}

/** Seeded Fisher–Yates shuffle in place. */
function shuffle(rng: Rng, a: Uint32Array): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function subset(columns: readonly Float64Array[], labels: Float64Array, rows: Uint32Array) {
  return {
    columns: columns.map((c) => Float64Array.from(rows, (i) => c[i]!)),
    labels: Float64Array.from(rows, (i) => labels[i]!),
  };
}

/**
 * Trains a dense network with Adam on shuffled mini-batches: binary (one sigmoid output),
 * multiclass (softmax) or regression (identity output; the target is standardised while training).
 * Features are standardised internally (missing values become the training mean). Rejects with a
 * `ModelInputError` on bad input and with an `AbortError` within one epoch of an abort.
 */
export async function trainMlp(
  train: Dataset,
  params: MlpParams,
  options: MlpTrainOptions = {},
): Promise<MlpModel> {
  const p = resolve(params);
  const { signal, onProgress } = options;
  throwIfAborted(signal, 'epoch 1');
  const all = readColumns(train.features, 'training features');
  if (all.numRows === 0)
    throw new ModelInputError('training features: no rows; training needs at least one row');
  const checked = readLabels(train.labels, all.numRows, p.task, 'training labels', p.numClasses);
  requireTwoClasses(checked.labels, p.task);
  const numClasses = checked.numClasses;
  const d = all.numFeatures;
  const rng = new Rng(p.seed);

  let trainCols = all.columns;
  let trainY = checked.labels;
  let valid: { columns: readonly Float64Array[]; labels: Float64Array } | undefined;
  if (options.valid) {
    const v = readColumns(options.valid.features, 'validation features');
    if (v.numFeatures !== d) {
      throw new ModelInputError(
        `validation features: ${v.numFeatures} columns, but the training data has ${d}`,
      );
    }
    if (v.numRows === 0)
      throw new ModelInputError('validation features: no rows; leave options.valid out instead');
    const classes = p.task === 'multiclass' ? numClasses : undefined;
    valid = {
      columns: v.columns,
      labels: readLabels(options.valid.labels, v.numRows, p.task, 'validation labels', classes).labels,
    };
  } else if (p.earlyStopping) {
    const held = Math.floor(p.validationFraction * all.numRows);
    if (held < 1 || held >= all.numRows) {
      throw new ModelInputError(
        `training features: ${all.numRows} rows are too few to hold out validationFraction ${p.validationFraction}; pass options.valid or set earlyStopping: false`,
      );
    }
    const order = Uint32Array.from({ length: all.numRows }, (_, i) => i);
    shuffle(rng, order);
    valid = subset(all.columns, checked.labels, order.subarray(0, held).sort());
    const rest = subset(all.columns, checked.labels, order.subarray(held).sort());
    trainCols = rest.columns;
    trainY = rest.labels;
  }

  const std = fitStandardizer(trainCols);
  const n = trainY.length;
  const z = standardizedRows(trainCols, std);
  const zValid = valid ? standardizedRows(valid.columns, std) : undefined;
  // Regression targets are standardised while training; the last layer is rescaled at the end.
  let yMean = 0;
  let yScale = 1;
  if (p.task === 'regression') {
    const s = fitStandardizer([trainY]);
    yMean = s.mean[0]!;
    yScale = s.scale[0]!;
  }
  const target = p.task === 'regression' ? trainY.map((v) => (v - yMean) / yScale) : trainY;
  const outputs = p.task === 'multiclass' ? numClasses : 1;
  const batchSize = Math.min(p.batchSize ?? 200, n);
  const net = new Network(
    [d, ...p.hiddenLayers, outputs],
    p.activation,
    Math.max(batchSize, zValid ? 1024 : 0),
  );

  // Glorot-uniform weights and biases (as scikit-learn).
  for (const layer of net.layers) {
    const bound = Math.sqrt(6 / (layer.inputs + layer.outputs));
    for (let i = 0; i < layer.weights.length; i++) layer.weights[i] = (2 * rng.next() - 1) * bound;
    for (let i = 0; i < layer.bias.length; i++) layer.bias[i] = (2 * rng.next() - 1) * bound;
  }
  const isWeight = new Uint8Array(net.params.length);
  {
    let offset = 0;
    for (const layer of net.layers) {
      isWeight.fill(1, offset, offset + layer.weights.length);
      offset += layer.weights.length + layer.bias.length;
    }
  }

  const m1 = new Float64Array(net.params.length);
  const m2 = new Float64Array(net.params.length);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const history: EpochRecord[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestParams: Float64Array | undefined;
  let stale = 0;
  const uniform = () => rng.next();

  for (let epoch = 1; epoch <= p.maxEpochs; epoch++) {
    shuffle(rng, order);
    let lossSum = 0;
    for (let start = 0; start < n; start += batchSize) {
      const rows = Math.min(batchSize, n - start);
      const x = net.input;
      for (let r = 0; r < rows; r++)
        x.set(z.subarray(order[start + r]! * d, order[start + r]! * d + d), r * d);
      const scores = net.forward(rows, p.dropout, uniform);
      const delta = net.outputDelta;
      for (let r = 0; r < rows; r++) {
        lossSum += lossAndDelta(p.task, scores, delta, r, outputs, target[order[start + r]!]!, rows);
      }
      net.backward(rows, p.dropout > 0);
      // Adam, with the L2 gradient alpha/batch · W on the weights.
      step++;
      const lr = (p.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      const penalty = p.l2 / rows;
      const w = net.params;
      const g = net.grads;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! + (isWeight[i] ? penalty * w[i]! : 0);
        m1[i] = beta1 * m1[i]! + (1 - beta1) * gi;
        m2[i] = beta2 * m2[i]! + (1 - beta2) * gi * gi;
        w[i]! -= (lr * m1[i]!) / (Math.sqrt(m2[i]!) + 1e-8);
      }
    }
    let trainLoss = lossSum / n;
    if (p.task === 'regression') trainLoss *= 2 * yScale * yScale;
    const validMetric =
      valid && zValid ? evaluate(net, p.task, zValid, valid.labels, d, outputs, yMean, yScale) : undefined;
    history.push(validMetric === undefined ? { epoch, trainLoss } : { epoch, trainLoss, validMetric });
    await onProgress?.(epoch, trainLoss, validMetric);
    // Early stopping watches the validation loss; otherwise (or without validation data) the
    // training loss, and the last epoch's parameters are kept.
    const watchValid = p.earlyStopping && validMetric !== undefined;
    const metric = watchValid ? validMetric : trainLoss;
    if (metric < best - p.tol) {
      stale = 0;
    } else {
      stale++;
    }
    if (metric < best) {
      best = metric;
      bestEpoch = epoch;
      if (watchValid) bestParams = Float64Array.from(net.params);
    }
    await yieldToEventLoop();
    throwIfAborted(signal, `epoch ${epoch + 1}`);
    if (stale >= p.patience) break;
  }
  if (bestParams) net.params.set(bestParams);
  else bestEpoch = history.length;

  const layers = net.layers.map((layer, l) => {
    const last = l === net.layers.length - 1;
    const weights = Array.from(layer.weights, (v) => (last ? v * yScale : v));
    const bias = Array.from(layer.bias, (v) => (last ? v * yScale + yMean : v));
    return { weights, bias };
  });
  return new MlpModel({
    task: p.task,
    numClasses,
    numFeatures: d,
    activation: p.activation,
    layers,
    featureMean: Array.from(std.mean),
    featureScale: Array.from(std.scale),
    bestEpoch,
    history,
  });
}

/** Loss of row r and its score gradient divided by the batch size (so gradients are batch means). */
function lossAndDelta(
  task: Task,
  scores: Float64Array,
  delta: Float64Array,
  r: number,
  K: number,
  y: number,
  rows: number,
): number {
  if (task === 'binary') {
    const s = scores[r]!;
    delta[r] = (1 / (1 + Math.exp(-s)) - y) / rows;
    return softplus(s) - y * s;
  }
  if (task === 'regression') {
    const e = scores[r]! - y;
    delta[r] = e / rows;
    return 0.5 * e * e;
  }
  const o = r * K;
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, scores[o + k]!);
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(scores[o + k]! - max);
  for (let k = 0; k < K; k++)
    delta[o + k] = (Math.exp(scores[o + k]! - max) / sum - (k === y ? 1 : 0)) / rows;
  return max + Math.log(sum) - scores[o + y]!;
}

/** Validation loss: log-loss (binary, multiclass) or mean squared error in label units (regression). */
function evaluate(
  net: Network,
  task: Task,
  z: Float64Array,
  labels: Float64Array,
  d: number,
  K: number,
  yMean: number,
  yScale: number,
): number {
  const n = labels.length;
  const chunk = net.maxRows;
  let total = 0;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    net.input.set(z.subarray(start * d, (start + rows) * d));
    const scores = net.forward(rows);
    for (let r = 0; r < rows; r++) {
      const y = labels[start + r]!;
      if (task === 'binary') {
        const s = scores[r]!;
        total += softplus(s) - y * s;
      } else if (task === 'regression') {
        total += (scores[r]! * yScale + yMean - y) ** 2;
      } else {
        const o = r * K;
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, scores[o + k]!);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(scores[o + k]! - max);
        total += max + Math.log(sum) - scores[o + y]!;
      }
    }
  }
  return total / n;
}
