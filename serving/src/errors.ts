// Errors of the inference pool besides InstanceError (instances.ts), for the API to map to statuses.

/** load(): the bytes are not an ONNX model (`notOnnx`), or its inputs/outputs do not match the signature (a 422). */
export class ModelLoadError extends Error {
  readonly notOnnx: boolean;
  constructor(message: string, options: { notOnnx?: boolean } = {}) {
    super(message);
    this.name = 'ModelLoadError';
    this.notOnnx = options.notOnnx ?? false;
  }
}

/** predict() on a key that is not loaded (or is being unloaded) (a 404 or 503). */
export class ModelNotLoadedError extends Error {
  constructor(readonly key: string) {
    super(`model ${key} is not loaded for serving`);
    this.name = 'ModelNotLoadedError';
  }
}

/** The model could not answer: onnxruntime failed, the thread running the batch died, or the pool closed (a 500/503). */
export class InferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InferenceError';
  }
}
