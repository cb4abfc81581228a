import type { ModelSignature } from '../serving/signature';

interface StatsLike {
  name: string;
  kind?: string;
  mean?: number | null;
  topValues?: { value: string }[];
  trueCount?: number;
  falseCount?: number;
  min?: string | null;
}

/** The reference statistics by column name (empty when the version has none). */
function statsOf(reference: unknown): Map<string, StatsLike> {
  const stats = new Map<string, StatsLike>();
  const list = (reference as { stats?: StatsLike[] } | null)?.stats;
  if (Array.isArray(list)) for (const s of list) if (s && typeof s.name === 'string') stats.set(s.name, s);
  return stats;
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
      const mostlyTrue = (s?.trueCount ?? 0) >= (s?.falseCount ?? 0);
      row[f.name] = f.json === 'boolean' ? mostlyTrue : s?.kind === 'numeric' && typeof s.mean === 'number' ? s.mean : null;
    } else {
      row[f.name] = s?.kind === 'categorical' ? (s.topValues?.[0]?.value ?? null) : s?.kind === 'date' ? (s.min ?? null) : null;
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
