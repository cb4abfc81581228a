/** What a served model takes and gives: the `Model` port's task, raw feature columns and classes. */
export interface ModelSignature {
  task: 'binary' | 'multiclass' | 'regression';
  /**
   * Raw input columns, one ONNX input `[n, 1]` each: float32 or string. `json: 'boolean'` marks a
   * float input that was a boolean column in training: requests send true/false for it.
   */
  features: { name: string; type: 'float' | 'string'; json?: 'boolean' }[];
  /** Class labels in probability order (classification), else null. */
  classes: (string | number)[] | null;
}

/** A prediction per instance; `probabilities[i][k]` is instance i's probability of `classes[k]`. */
export interface PredictResult {
  predictions: (string | number)[];
  probabilities: number[][] | null;
}
