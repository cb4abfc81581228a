import { trainingThreads } from './threads';
import { BinMapper } from './binning';
import { Booster } from './booster';
import { GbdtInputError, throwIfAborted } from './errors';
import { toColumns } from './matrix';
import {
  binaryObjective,
  checkLabels,
  multiclassObjective,
  type Objective,
  regressionObjective,
  requireTwoClasses,
} from './objectives';
import { resolveParams, type ResolvedParams } from './params';
import { Rng, sampleSorted } from './random';
import { typedArray } from './shared-memory';
import { addTreeOutputBinned } from './tree';
import { TreeGrower } from './tree-grower';
import type { BoosterParams, Dataset, IterationRecord, TrainOptions, Tree } from './types';

/**
 * Trains a histogram gradient-boosted tree ensemble (LightGBM / scikit-learn HistGradientBoosting
 * style). Rejects with a `GbdtInputError` on bad data or parameters and with an `AbortError` when
 * `options.signal` is aborted (checked every iteration; the event loop gets a turn each iteration so
 * an abort from a timer or another request is seen).
 */
export async function trainBooster(
  train: Dataset,
  params: BoosterParams,
  options: TrainOptions = {},
): Promise<Booster> {
  const p = resolveParams(params);
  const { signal, onProgress } = options;
  throwIfAborted(signal, 0);
  const { columns, numRows, numFeatures } = toColumns(train.features, 'training features');
  if (numRows === 0) throw new GbdtInputError('training features: no rows; training needs at least one row');
  const checked = checkLabels(train.labels, numRows, p.objective, 'training labels', p.numClasses);
  requireTwoClasses(checked.labels, p.objective);
  const numClasses = checked.numClasses;
  if (p.earlyStoppingRounds !== undefined && !options.valid) {
    throw new GbdtInputError('earlyStoppingRounds needs a validation set: pass options.valid');
  }
  const valid = options.valid ? prepareValid(options.valid, numFeatures, p, numClasses) : undefined;

  const objective: Objective =
    p.objective === 'binary'
      ? binaryObjective
      : p.objective === 'regression'
        ? regressionObjective
        : multiclassObjective(numClasses);
  const K = objective.numOutputs;

  const mapper = BinMapper.fit(columns, { maxBins: p.maxBins, sampleSize: p.binSampleSize, seed: p.seed });
  const numThreads = trainingThreads(p.numThreads, numRows * numFeatures);
  const shared = numThreads > 1;
  const bins = mapper.transformRows(columns, shared);
  const missingBin = Int32Array.from(columns, (_, f) => mapper.missingBin(f));
  const validBins = valid ? mapper.transformRows(valid.columns) : undefined;

  const labels = typedArray(Float64Array, numRows, shared);
  labels.set(checked.labels);
  const initScores = objective.initScores(labels);
  const scores = initScores.map((s) => typedArray(Float64Array, numRows, shared).fill(s));
  const validScores = valid ? initScores.map((s) => new Float64Array(valid.labels.length).fill(s)) : [];
  const gradHess = initScores.map(() => typedArray(Float32Array, 2 * numRows, shared));
  const rng = new Rng(p.seed);
  const allFeatures = Int32Array.from(columns, (_, f) => f);
  const treeFeatures = Math.max(1, Math.round(p.featureFraction * numFeatures));
  const bagSize = Math.max(1, Math.round(p.baggingFraction * numRows));
  const bag = bagSize < numRows ? new Uint32Array(bagSize) : undefined;
  const featureBuf = new Uint32Array(numFeatures);

  const trees: Tree[] = [];
  const history: IterationRecord[] = [];
  let bestIteration = 0;
  let bestMetric = Infinity;
  const grower = new TreeGrower(bins, mapper, p, { scores, labels, gradHess }, numThreads);
  try {
    grower.gradients(objective);
    for (let iteration = 1; iteration <= p.numIterations; iteration++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      throwIfAborted(signal, iteration);
      const rows = bag ? sampleSorted(rng, numRows, bagSize, bag) : undefined;
      for (let k = 0; k < K; k++) {
        if (k > 0) throwIfAborted(signal, iteration);
        const features =
          treeFeatures < numFeatures
            ? Int32Array.from(sampleSorted(rng, numFeatures, treeFeatures, featureBuf))
            : allFeatures;
        const grown = grower.grow(gradHess[k]!, rows, features);
        if (rows) addTreeOutputBinned(grown.tree, bins, missingBin, scores[k]!);
        else grower.addLeafValues(grown, k);
        if (valid) addTreeOutputBinned(grown.tree, validBins!, missingBin, validScores[k]!);
        trees.push(grown.tree);
      }
      // Gradients for the next iteration, and the loss at the scores this iteration reached.
      const trainLoss = grower.gradients(objective);
      const validMetric = valid ? objective.loss(validScores, valid.labels) : undefined;
      history.push(
        validMetric === undefined ? { iteration, trainLoss } : { iteration, trainLoss, validMetric },
      );
      await onProgress?.(iteration, trainLoss, validMetric);
      if (validMetric !== undefined && validMetric < bestMetric) {
        bestMetric = validMetric;
        bestIteration = iteration;
      }
      if (p.earlyStoppingRounds !== undefined && iteration - bestIteration >= p.earlyStoppingRounds) break;
    }
  } finally {
    await grower.close();
  }
  const kept = p.earlyStoppingRounds !== undefined ? bestIteration : history.length;
  return new Booster({
    objective: p.objective,
    numClasses,
    numFeatures,
    initScores,
    trees: trees.slice(0, kept * K),
    bestIteration: kept,
    history,
  });
}

function prepareValid(valid: Dataset, numFeatures: number, p: ResolvedParams, numClasses: number) {
  const { columns, numRows } = toColumns(valid.features, 'validation features');
  if (columns.length !== numFeatures) {
    throw new GbdtInputError(
      `validation features: ${columns.length} columns, but the training data has ${numFeatures}`,
    );
  }
  if (numRows === 0)
    throw new GbdtInputError('validation features: no rows; leave options.valid out instead');
  const classes = p.objective === 'multiclass' ? numClasses : undefined;
  const { labels } = checkLabels(valid.labels, numRows, p.objective, 'validation labels', classes);
  return { columns, labels };
}
