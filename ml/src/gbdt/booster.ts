import { ModelData } from '../model-data';
import { labelsFromRaw, probabilities } from '../raw-scores';
import { GbdtInputError } from './errors';
import { toColumns } from './matrix';
import { addTreeOutput } from './tree';
import type { FeatureMatrix, IterationRecord, ObjectiveName, Tree } from './types';

/** The parts of a trained model; plain data (JSON-serialisable). */
export interface BoosterModel {
  readonly objective: ObjectiveName;
  /** 2 for binary, K for multiclass, 1 for regression. */
  readonly numClasses: number;
  readonly numFeatures: number;
  /** Constant raw score per output, added before any tree. */
  readonly initScores: readonly number[];
  /**
   * Iteration-major: tree `t * numOutputs + k` is output k (class k for multiclass) of iteration t.
   * Raw score of output k = `initScores[k]` + the sum of its trees' leaf values.
   */
  readonly trees: readonly Tree[];
  /** Iterations kept (the best one when early stopping ran). */
  readonly bestIteration: number;
  /** Train loss and validation metric per iteration run (including those dropped by early stopping). */
  readonly history: readonly IterationRecord[];
}

/** Which importance `featureImportance` reports. */
export type ImportanceType = 'gain' | 'split';

/** A trained gradient-boosted tree ensemble. */
export class Booster extends ModelData<BoosterModel>() {
  /** Trees per iteration: one per class for multiclass, otherwise one. */
  get numOutputs(): number {
    return this.initScores.length;
  }

  /** Raw scores, one array of rows per output (log-odds, per-class logits or predictions). */
  predictRaw(features: FeatureMatrix): Float64Array[] {
    const { columns, numRows, numFeatures } = toColumns(features, 'prediction features');
    if (numFeatures !== this.numFeatures) {
      throw new GbdtInputError(
        `prediction features: ${numFeatures} columns, but the model was trained on ${this.numFeatures}`,
      );
    }
    const K = this.numOutputs;
    const scores = this.initScores.map((s) => new Float64Array(numRows).fill(s));
    this.trees.forEach((tree, t) => addTreeOutput(tree, columns, scores[t % K]!));
    return scores;
  }

  /**
   * Class probabilities, row-major `rows × numClasses` (for binary: `[P(0), P(1)]` per row).
   * Classifiers only.
   */
  predictProba(features: FeatureMatrix): Float64Array {
    if (this.objective === 'regression') {
      throw new GbdtInputError('predictProba: a regression model has no class probabilities; use predict');
    }
    return probabilities(this.objective, this.predictRaw(features), this.numClasses);
  }

  /**
   * Class index per row for classifiers (the most probable class; binary: class 1 when P(1) > 0.5),
   * the predicted value for regression.
   */
  predict(features: FeatureMatrix): Float64Array {
    return labelsFromRaw(this.objective, this.predictRaw(features));
  }

  /** Per feature: total gain of its splits, or how many splits use it. */
  featureImportance(type: ImportanceType = 'gain'): Float64Array {
    const out = new Float64Array(this.numFeatures);
    for (const tree of this.trees) {
      tree.splitFeature.forEach((f, node) => {
        out[f]! += type === 'gain' ? tree.splitGain[node]! : 1;
      });
    }
    return out;
  }
}
