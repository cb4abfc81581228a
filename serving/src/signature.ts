import type { ModelFeature, ModelSignature as PortModelSignature } from '@kiln/engine';

/**
 * What a served model takes and gives: the `Model` port value's signature (task, raw feature
 * columns, classes). `json: 'boolean'` marks a float input that was a boolean column in training:
 * requests send true/false for it.
 */
export type ModelSignature = Omit<PortModelSignature, 'features'> & { features: (ModelFeature & { json?: 'boolean' })[] };

/** A prediction per instance; `probabilities[i][k]` is instance i's probability of `classes[k]`. */
export interface PredictResult {
  predictions: (string | number)[];
  probabilities: number[][] | null;
}
