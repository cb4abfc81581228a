import { GbdtInputError } from './errors';
import { toColumns } from './matrix';
import { sigmoid, softmaxRow } from './objectives';
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
export class Booster implements BoosterModel {
  readonly objective: ObjectiveName;
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly initScores: readonly number[];
  readonly trees: readonly Tree[];
  readonly bestIteration: number;
  readonly history: readonly IterationRecord[];

  constructor(model: BoosterModel) {
    this.objective = model.objective;
    this.numClasses = model.numClasses;
    this.numFeatures = model.numFeatures;
    this.initScores = model.initScores;
    this.trees = model.trees;
    this.bestIteration = model.bestIteration;
    this.history = model.history;
  }

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
    const raw = this.predictRaw(features);
    const n = raw[0]!.length;
    const C = this.numClasses;
    const out = new Float64Array(n * C);
    if (this.objective === 'binary') {
      const s = raw[0]!;
      for (let i = 0; i < n; i++) {
        const p = sigmoid(s[i]!);
        out[2 * i] = 1 - p;
        out[2 * i + 1] = p;
      }
      return out;
    }
    const row = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      softmaxRow(raw, i, row);
      out.set(row, i * C);
    }
    return out;
  }

  /**
   * Class index per row for classifiers (the most probable class; binary: class 1 when P(1) > 0.5),
   * the predicted value for regression.
   */
  predict(features: FeatureMatrix): Float64Array {
    const raw = this.predictRaw(features);
    const n = raw[0]!.length;
    if (this.objective === 'regression') return raw[0]!;
    const out = new Float64Array(n);
    if (this.objective === 'binary') {
      for (let i = 0; i < n; i++) out[i] = raw[0]![i]! > 0 ? 1 : 0;
      return out;
    }
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < raw.length; k++) if (raw[k]![i]! > raw[best]![i]!) best = k;
      out[i] = best;
    }
    return out;
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

  /** The model as plain data. */
  toJSON(): BoosterModel {
    return {
      objective: this.objective,
      numClasses: this.numClasses,
      numFeatures: this.numFeatures,
      initScores: this.initScores,
      trees: this.trees,
      bestIteration: this.bestIteration,
      history: this.history,
    };
  }
}
