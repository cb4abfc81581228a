import type { KilnApi } from '../platform/kiln-api';
import type { PredictionLogChunk } from '@kiln/api-types';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';

/**
 * One line of a prediction log chunk (JSON Lines in the artifact store): a served request, with the
 * body as the client sent it, so logging never re-serialises the inputs.
 */
export interface LoggedRequest {
  at: string;
  version: number;
  role: 'primary' | 'canary' | 'shadow';
  /** One prediction id per instance. */
  ids: string[];
  predictions: (string | number)[];
  probabilities: number[][] | null;
  latencyMs: number;
  request: { instances: Record<string, unknown>[] };
}

/** One logged prediction: a row of a logged request. */
export interface LoggedPrediction {
  id: string;
  at: string;
  version: number;
  role: 'primary' | 'canary' | 'shadow';
  input: Record<string, unknown>;
  prediction: string | number;
  probabilities?: number[];
  latencyMs: number;
}

export interface PredictionWindow {
  rows: LoggedPrediction[];
  /** Every request in the window, sampled or not, and those that failed. */
  requests: number;
  errors: number;
}

/** The predictions a deployment logged after `since` (the API flushes its buffers first). */
export async function readPredictionLogs(api: KilnApi, store: ArtifactStore, deployment: string, since: Date): Promise<PredictionWindow> {
  const chunks = await api.request<PredictionLogChunk[]>(
    'GET',
    `/deployments/${encodeURIComponent(deployment)}/logs?since=${encodeURIComponent(since.toISOString())}`,
  );
  const window: PredictionWindow = { rows: [], requests: 0, errors: 0 };
  const sinceMs = since.getTime();
  for (const chunk of chunks) {
    window.requests += chunk.requests;
    window.errors += chunk.errors;
    const text = new TextDecoder().decode(await store.get(chunk.artifact.digest));
    for (const line of text.split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as LoggedRequest;
      if (Date.parse(r.at) <= sinceMs) continue;
      r.ids.forEach((id, i) =>
        window.rows.push({
          id,
          at: r.at,
          version: r.version,
          role: r.role,
          input: r.request.instances[i]!,
          prediction: r.predictions[i]!,
          ...(r.probabilities ? { probabilities: r.probabilities[i]! } : {}),
          latencyMs: r.latencyMs,
        }),
      );
    }
  }
  return window;
}

/** The q-quantile (0–1) of some numbers, by the nearest-rank method; null when there are none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
