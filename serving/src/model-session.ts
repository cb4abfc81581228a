// One model's onnxruntime session on the calling thread, run by the same code as the inference pool's
// threads (inference-host.mjs): for batch work, such as evaluate.model scoring a dataset, that needs
// no threads, queues or JSON instances.
import { ModelLoadError } from './errors';
import { type InferenceHost, createInferenceHost } from './inference-host.mjs';
import { outputsFor, signatureProblems } from './model-check';
import type { ModelSignature } from './signature';
import type { ColumnData, RunOutputs } from './thread-protocol';

const KEY = 'model';

/** A batch's predictions: a label or value per row, and row-major probabilities (classification). */
export interface BatchPredictions {
  predictions: (string | number)[];
  /** `rows × classes`, row-major; null for regression. */
  probabilities: Float32Array | null;
}

export class ModelSession {
  private constructor(
    private readonly host: InferenceHost,
    private readonly sig: ModelSignature,
    /** The outputs `predict` reads (`label` and `probabilities`, or the regression value). */
    readonly outputs: readonly string[],
  ) {}

  /**
   * Opens a session on the model bytes. Rejects with ModelLoadError (`notOnnx`) when they are not an
   * ONNX model, or when its inputs and outputs do not match the signature.
   */
  static async open(onnx: Uint8Array, sig: ModelSignature): Promise<ModelSession> {
    const host = await createInferenceHost();
    let loaded;
    try {
      ({ reply: loaded } = await host.handle({ op: 'load', id: 0, key: KEY, onnx }));
    } catch (error) {
      throw new ModelLoadError(`not a valid ONNX model: ${host.firstLine(error)}`, { notOnnx: true });
    }
    if (loaded.op !== 'loaded') throw new Error(`unexpected reply ${loaded.op}`);
    const problems = signatureProblems(sig, loaded.inputs, loaded.outputs);
    if (problems.length > 0) {
      await host.handle({ op: 'unload', id: 0, key: KEY });
      throw new ModelLoadError(`the ONNX model does not match its signature: ${problems.join('; ')}`);
    }
    return new ModelSession(host, sig, outputsFor(sig, loaded.outputs));
  }

  /**
   * Runs the model on `rows` rows: per feature a float32 column (NaN = missing) or a text column
   * ("" = missing). The outputs are onnxruntime's own arrays (read them before the next run).
   */
  async run(rows: number, feeds: Record<string, ColumnData>, outputs: readonly string[] = this.outputs): Promise<RunOutputs> {
    const { reply } = await this.host.handle({ op: 'run', id: 0, key: KEY, rows, feeds, outputs: [...outputs] }, false);
    if (reply.op !== 'ran') throw new Error(`unexpected reply ${reply.op}`);
    return reply.outputs;
  }

  /** Predictions for `rows` rows, labels as the signature's classes give them (int64 labels as numbers). */
  async predict(rows: number, feeds: Record<string, ColumnData>): Promise<BatchPredictions> {
    const out = await this.run(rows, feeds);
    if (this.sig.task === 'regression') return { predictions: Array.from(out[this.outputs[0]!] as Float32Array), probabilities: null };
    const label = out.label as BigInt64Array | string[];
    return {
      predictions: Array.from(label as ArrayLike<bigint | string>, (x) => (typeof x === 'bigint' ? Number(x) : x)),
      probabilities: (out.probabilities as Float32Array).slice(),
    };
  }

  /** Releases the session. */
  async close(): Promise<void> {
    await this.host.handle({ op: 'unload', id: 0, key: KEY });
  }
}
