// The messages between InferencePool and inference-thread.mjs (plain JavaScript: worker threads do
// not get our TypeScript loader, so the thread's side of this contract is written out there too).

/** One feature column of a batch: float32 values (NaN = missing) or strings ("" = missing). */
export type ColumnData = Float32Array | string[];

export type ToThread =
  | { op: 'load'; id: number; key: string; onnx: Uint8Array }
  | { op: 'unload'; id: number; key: string }
  | {
      op: 'run';
      id: number;
      key: string;
      rows: number;
      feeds: Record<string, ColumnData>;
      outputs: string[];
    };

/** An ONNX input or output as onnxruntime describes it. */
export interface ValueInfo {
  name: string;
  isTensor: boolean;
  /** `float32`, `string`, `int64`, … (absent when not a tensor). */
  type?: string;
  /** Dimensions; symbolic ones are names. */
  shape?: (number | string)[];
}

/** A run's outputs by name: int64 becomes BigInt64Array, float32 Float32Array, strings string[]. */
export type RunOutputs = Record<string, BigInt64Array | Float32Array | Float64Array | Int32Array | string[]>;

export type FromThread =
  | { op: 'ready' }
  | { op: 'loaded'; id: number; inputs: ValueInfo[]; outputs: ValueInfo[] }
  | { op: 'unloaded'; id: number }
  | { op: 'ran'; id: number; outputs: RunOutputs }
  | { op: 'failed'; id: number; message: string };
