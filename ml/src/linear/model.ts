import type { FeatureMatrix } from '../gbdt/types';
import { RawScoreModel } from '../raw-scores';
import { readColumns, type Task } from './data';
import { ModelInputError } from './errors';

/** One row of the solver history. */
export interface SolverRecord {
  readonly iteration: number;
  /** Objective per row (mean loss plus the L2 term divided by the row count). */
  readonly loss: number;
}

/** A trained linear model as plain data (JSON-serialisable). */
export interface LinearModelData {
  readonly task: Task;
  /** 2 for binary, K for multiclass, 1 for regression. */
  readonly numClasses: number;
  readonly numFeatures: number;
  /**
   * Coefficients on the raw features, row-major `outputs × numFeatures` (one output for binary and
   * regression: the log-odds of class 1 or the prediction; K for multiclass).
   */
  readonly coef: readonly number[];
  /** One intercept per output. */
  readonly intercept: readonly number[];
  /** Training mean per feature: what a missing value (NaN) is replaced with. */
  readonly featureMean: readonly number[];
  /** Training standard deviation per feature (1 for constant columns); used by the ONNX export. */
  readonly featureScale: readonly number[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly history: readonly SolverRecord[];
}

/** A trained linear model (logistic, softmax or ridge regression). */
export class LinearModel extends RawScoreModel<LinearModelData>() {
  get numOutputs(): number {
    return this.intercept.length;
  }

  /** Raw scores, one array of rows per output (log-odds, class logits or predictions). */
  predictRaw(features: FeatureMatrix): Float64Array[] {
    const { columns, numRows, numFeatures } = readColumns(features, 'prediction features');
    if (numFeatures !== this.numFeatures) {
      throw new ModelInputError(
        `prediction features: ${numFeatures} columns, but the model was trained on ${this.numFeatures}`,
      );
    }
    const d = this.numFeatures;
    return this.intercept.map((b, k) => {
      const out = new Float64Array(numRows).fill(b);
      for (let f = 0; f < d; f++) {
        const w = this.coef[k * d + f]!;
        const fill = w * this.featureMean[f]!;
        const col = columns[f]!;
        for (let i = 0; i < numRows; i++) {
          const v = col[i]!;
          out[i]! += v === v ? w * v : fill;
        }
      }
      return out;
    });
  }
}
