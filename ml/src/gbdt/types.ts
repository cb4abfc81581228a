import type { Task } from '../task';

/**
 * Numeric features. Either one `Float64Array` per feature (column-major, all the same length), or one
 * row-major `Float64Array` of `rows × cols`. `NaN` means missing.
 */
export type FeatureMatrix = readonly Float64Array[] | RowMajorMatrix;

/** A dense row-major matrix: value (r, c) is `values[r * cols + c]`. */
export interface RowMajorMatrix {
  readonly values: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** What the booster learns: the model's task. */
export type ObjectiveName = Task;

/** The validation metric matching each objective (lower is better). */
export type MetricName = 'logloss' | 'multi_logloss' | 'l2';

/** Called once per boosting iteration, after the iteration's trees are added; awaited. */
export type ProgressCallback = (
  iteration: number,
  trainLoss: number,
  validMetric: number | undefined,
) => void | Promise<void>;

/** Training parameters; every field but `objective` has a LightGBM-like default. */
export interface BoosterParams {
  objective: ObjectiveName;
  /** Number of classes for `multiclass` (default: largest label + 1). */
  numClasses?: number;
  /** Boosting iterations (default 100). For multiclass each iteration adds one tree per class. */
  numIterations?: number;
  /** Shrinkage applied to every leaf value (default 0.1). */
  learningRate?: number;
  /** Leaves per tree; trees grow best-first (default 31). */
  maxLeaves?: number;
  /** Depth limit; 0 or less means none (default -1). */
  maxDepth?: number;
  /** Minimum rows in a leaf (default 20). */
  minDataInLeaf?: number;
  /** Minimum sum of hessians in a leaf (default 1e-3). */
  minSumHessianInLeaf?: number;
  /** L2 regularisation on leaf values (default 0). */
  lambdaL2?: number;
  /** A split must reduce the loss by more than this (default 0). */
  minGainToSplit?: number;
  /** Fraction of features each tree may use (default 1). */
  featureFraction?: number;
  /** Fraction of rows each iteration trains on, drawn without replacement (default 1). */
  baggingFraction?: number;
  /** Seed for feature and row sampling and for the binning subsample (default 0). */
  seed?: number;
  /** Maximum non-missing bins per feature, 2..255 (default 255); one more bin holds missing values. */
  maxBins?: number;
  /** Rows sampled to find bin thresholds (default 200 000, like scikit-learn). */
  binSampleSize?: number;
  /** Stop when the validation metric has not improved for this many iterations (default: off). */
  earlyStoppingRounds?: number;
  /**
   * Threads that build histograms (the caller's included). 0, the default, picks the number of CPUs
   * (at most 8) for data with at least 1 000 000 feature values, else 1. Results do not depend on it.
   */
  numThreads?: number;
}

/** Labelled data: `labels[i]` belongs to row i. */
export interface Dataset {
  readonly features: FeatureMatrix;
  readonly labels: ArrayLike<number>;
}

/** Everything `trainBooster` accepts besides the training data. */
export interface TrainOptions {
  /** Data for early stopping and the `validMetric` passed to `onProgress`. */
  readonly valid?: Dataset;
  readonly onProgress?: ProgressCallback;
  /** Checked once per iteration; training then rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
}

/**
 * One regression tree, flat. Internal node `k` sends a row left when its feature value (as float32)
 * is `<= threshold[k]`, right when greater, and `defaultLeft[k]` decides for missing values.
 * A child reference `c >= 0` is an internal node; `c < 0` is leaf `~c`.
 * A tree with no split has one leaf and empty node arrays.
 */
export interface Tree {
  readonly splitFeature: number[];
  /** The bin index the split was learned on: rows with bin <= splitBin go left. */
  readonly splitBin: number[];
  /** Float32-representable bin edge (`Math.fround(threshold) === threshold`). */
  readonly threshold: number[];
  readonly defaultLeft: boolean[];
  readonly left: number[];
  readonly right: number[];
  readonly splitGain: number[];
  /** Leaf outputs, learning rate already applied. */
  readonly leafValue: number[];
  /** Training rows that reached each leaf. */
  readonly leafCount: number[];
}

/** One row of the training history. */
export interface IterationRecord {
  readonly iteration: number;
  readonly trainLoss: number;
  readonly validMetric?: number;
}
