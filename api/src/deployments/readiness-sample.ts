import { type ColumnStats, datasetValueSchema } from '@kiln/engine';
import type { ModelSignature } from '@kiln/serving/signature';

/**
 * The reference statistics by column name: the registered training data is a `Dataset` port value;
 * a version without one (or with one that does not parse as one) has none.
 */
function statsOf(reference: unknown): Map<string, ColumnStats> {
  const parsed = datasetValueSchema.safeParse(reference);
  return new Map(parsed.success ? parsed.data.stats.map((s) => [s.name, s]) : []);
}

/**
 * The signature requests are checked against: float features that were boolean columns in training
 * (per the reference statistics) take JSON booleans.
 */
export function servedSignature(sig: ModelSignature, reference: unknown): ModelSignature {
  const stats = statsOf(reference);
  return { ...sig, features: sig.features.map((f) => (f.type === 'float' && stats.get(f.name)?.kind === 'bool' ? { ...f, json: 'boolean' as const } : f)) };
}

/**
 * A plausible input row for a readiness check: each feature at its training mean or most frequent
 * value when the training statistics are known, else missing (the model's own imputation handles it).
 */
export function readinessSample(sig: ModelSignature, reference: unknown): Record<string, unknown> {
  const stats = statsOf(reference);
  const row: Record<string, unknown> = {};
  for (const f of sig.features) {
    const s = stats.get(f.name);
    if (f.type === 'float') {
      const mostlyTrue = s?.kind === 'bool' && s.trueCount >= s.falseCount;
      row[f.name] = f.json === 'boolean' ? mostlyTrue : s?.kind === 'numeric' && typeof s.mean === 'number' ? s.mean : null;
    } else {
      row[f.name] = s?.kind === 'categorical' ? (s.topValues[0]?.value ?? null) : s?.kind === 'date' ? s.min : null;
    }
  }
  return row;
}

/** Whether a prediction looks like one: finite values, probabilities that sum to 1. */
export function checkPrediction(sig: ModelSignature, result: { predictions: unknown[]; probabilities: number[][] | null }): string | null {
  if (result.predictions.length !== 1) return `expected 1 prediction, got ${result.predictions.length}`;
  const p = result.predictions[0];
  if (typeof p === 'number' && !Number.isFinite(p)) return `the prediction is ${p}`;
  if (sig.task !== 'regression') {
    const probs = result.probabilities?.[0];
    if (!probs || probs.length !== (sig.classes?.length ?? 0)) return `expected ${sig.classes?.length ?? 0} class probabilities`;
    const sum = probs.reduce((a, b) => a + b, 0);
    if (!probs.every(Number.isFinite) || Math.abs(sum - 1) > 1e-3) return `class probabilities sum to ${sum}`;
  }
  return null;
}
