import { matmul } from './matmul';

/** Hidden-layer activation. */
export type Activation = 'relu' | 'tanh';

/** One dense layer: `weights` row-major `[inputs, outputs]`, `bias` `[outputs]`. */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

/** `out[B × o] = x[B × i] · W + b`. */
export function denseForward(layer: DenseLayer, x: Float64Array, rows: number, out: Float64Array): void {
  const { inputs: ni, outputs: no, weights: w, bias: b } = layer;
  matmul(rows, no, ni, x, ni, 1, w, no, 1, out);
  for (let r = 0; r < rows; r++) {
    const o = r * no;
    for (let j = 0; j < no; j++) out[o + j]! += b[j]!;
  }
}

export function activate(kind: Activation, values: Float64Array, count: number): void {
  if (kind === 'relu') {
    for (let i = 0; i < count; i++) if (values[i]! < 0) values[i] = 0;
  } else {
    for (let i = 0; i < count; i++) values[i] = Math.tanh(values[i]!);
  }
}

/**
 * A multilayer perceptron's forward and backward passes on row-major mini-batches. The parameters
 * live in one `Float64Array` (layer by layer: weights then bias) so the optimiser sees one vector.
 */
export class Network {
  readonly layers: DenseLayer[];
  readonly params: Float64Array;
  readonly grads: Float64Array;
  private readonly gradLayers: DenseLayer[];
  /** Activations per layer input (index 0 is the batch itself), then the output scores. */
  private readonly acts: Float64Array[];
  /** Dropout scale per hidden unit (0 or 1/(1 − rate)), per hidden layer. */
  private readonly masks: Float64Array[];
  private readonly deltas: Float64Array[];

  constructor(
    readonly sizes: readonly number[],
    readonly activation: Activation,
    readonly maxRows: number,
  ) {
    let total = 0;
    for (let l = 0; l + 1 < sizes.length; l++) total += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
    this.params = new Float64Array(total);
    this.grads = new Float64Array(total);
    this.layers = this.views(this.params);
    this.gradLayers = this.views(this.grads);
    this.acts = sizes.map((s) => new Float64Array(maxRows * s));
    this.masks = sizes.map((s, l) => new Float64Array(l > 0 && l + 1 < sizes.length ? maxRows * s : 0));
    this.deltas = sizes.map((s) => new Float64Array(maxRows * s));
  }

  private views(buffer: Float64Array): DenseLayer[] {
    const out: DenseLayer[] = [];
    let offset = 0;
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const ni = this.sizes[l]!;
      const no = this.sizes[l + 1]!;
      const weights = buffer.subarray(offset, offset + ni * no);
      offset += ni * no;
      const bias = buffer.subarray(offset, offset + no);
      offset += no;
      out.push({ inputs: ni, outputs: no, weights, bias });
    }
    return out;
  }

  /** The input buffer: write `rows` rows of features here before `forward`. */
  get input(): Float64Array {
    return this.acts[0]!;
  }

  /**
   * Forward pass over the first `rows` rows of `input`; returns the output scores (row-major).
   * `dropout(l)` gives a fresh uniform draw per hidden unit when training with dropout `rate`.
   */
  forward(rows: number, rate = 0, uniform?: () => number): Float64Array {
    const L = this.layers.length;
    for (let l = 0; l < L; l++) {
      const out = this.acts[l + 1]!;
      denseForward(this.layers[l]!, this.acts[l]!, rows, out);
      if (l + 1 < L) {
        const count = rows * this.sizes[l + 1]!;
        activate(this.activation, out, count);
        if (rate > 0 && uniform) {
          const mask = this.masks[l + 1]!;
          const keep = 1 / (1 - rate);
          for (let i = 0; i < count; i++) {
            const m = uniform() < rate ? 0 : keep;
            mask[i] = m;
            out[i]! *= m;
          }
        }
      }
    }
    return this.acts[L]!;
  }

  /** Gradient buffer for the output scores: fill with dLoss/dScore before `backward`. */
  get outputDelta(): Float64Array {
    return this.deltas[this.layers.length]!;
  }

  /** Backward pass: writes parameter gradients into `grads` (overwriting them). */
  backward(rows: number, dropoutUsed: boolean): void {
    const relu = this.activation === 'relu';
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const { inputs: ni, outputs: no } = layer;
      const gw = this.gradLayers[l]!.weights;
      const gb = this.gradLayers[l]!.bias;
      const delta = this.deltas[l + 1]!;
      const a = this.acts[l]!;
      // dW = Aᵀ·δ (ni × no), db = Σ rows of δ.
      matmul(ni, no, rows, a, 1, ni, delta, no, 1, gw);
      gb.fill(0);
      for (let r = 0; r < rows; r++) {
        const dr = r * no;
        for (let j = 0; j < no; j++) gb[j]! += delta[dr + j]!;
      }
      if (l === 0) break;
      // dA = δ·Wᵀ (rows × ni), then through dropout and the activation.
      const prev = this.deltas[l]!;
      matmul(rows, ni, no, delta, no, 1, layer.weights, 1, no, prev);
      const mask = this.masks[l]!;
      const count = rows * ni;
      for (let i = 0; i < count; i++) {
        let post = a[i]!;
        let m = 1;
        if (dropoutUsed) {
          m = mask[i]!;
          if (m === 0) {
            prev[i] = 0;
            continue;
          }
          post /= m;
        }
        prev[i]! *= relu ? (post > 0 ? m : 0) : (1 - post * post) * m;
      }
    }
  }
}
