import type { FeatureMatrix } from '../gbdt/types';
import { readColumns, type Standardizer, standardizedRows, type Task } from '../linear/data';
import { ModelInputError } from '../linear/errors';
import { RawScoreModel } from '../raw-scores';
import { type Activation, activate, denseForward } from './network';

/** One epoch of the training history. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss over the epoch's mini-batches (log-loss; mean squared error for regression). */
  readonly trainLoss: number;
  /** Validation log-loss (mean squared error for regression), when there is validation data. */
  readonly validMetric?: number;
}

/** A trained MLP as plain data (JSON-serialisable). */
export interface MlpModelData {
  readonly task: Task;
  /** 2 for binary, K for multiclass, 1 for regression. */
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly activation: Activation;
  /**
   * Dense layers, input first: `weights` row-major `[inputs, outputs]`. The first layer reads
   * standardised features ((x − featureMean) / featureScale, missing → 0); the last one gives the
   * log-odds of class 1 (binary), the class logits (multiclass) or the prediction (regression).
   */
  readonly layers: readonly { readonly weights: readonly number[]; readonly bias: readonly number[] }[];
  readonly featureMean: readonly number[];
  readonly featureScale: readonly number[];
  /** The epoch whose parameters were kept (the best validation epoch when early stopping ran). */
  readonly bestEpoch: number;
  readonly history: readonly EpochRecord[];
}

const CHUNK = 2048;

/** A trained multilayer perceptron. Dropout, if used in training, is off here. */
export class MlpModel extends RawScoreModel<MlpModelData>() {
  /** Raw scores, one array of rows per output (log-odds, class logits or predictions). */
  predictRaw(features: FeatureMatrix): Float64Array[] {
    const { columns, numRows, numFeatures } = readColumns(features, 'prediction features');
    if (numFeatures !== this.numFeatures) {
      throw new ModelInputError(
        `prediction features: ${numFeatures} columns, but the model was trained on ${this.numFeatures}`,
      );
    }
    const std: Standardizer = {
      mean: Float64Array.from(this.featureMean),
      scale: Float64Array.from(this.featureScale),
    };
    const z = standardizedRows(columns, std);
    const layers = this.layers.map((l, i) => ({
      inputs: i === 0 ? this.numFeatures : this.layers[i - 1]!.bias.length,
      outputs: l.bias.length,
      weights: Float64Array.from(l.weights),
      bias: Float64Array.from(l.bias),
    }));
    const K = layers[layers.length - 1]!.outputs;
    const out = Array.from({ length: K }, () => new Float64Array(numRows));
    const buffers = layers.map((l) => new Float64Array(CHUNK * l.outputs));
    for (let start = 0; start < numRows; start += CHUNK) {
      const rows = Math.min(CHUNK, numRows - start);
      let x = z.subarray(start * this.numFeatures, (start + rows) * this.numFeatures);
      layers.forEach((layer, l) => {
        const buf = buffers[l]!;
        denseForward(layer, x, rows, buf);
        if (l + 1 < layers.length) activate(this.activation, buf, rows * layer.outputs);
        x = buf;
      });
      for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) out[k]![start + r] = x[r * K + k]!;
    }
    return out;
  }
}
