// Several requests' columns as one batch, and one batch's outputs split back per request.
import type { Columns } from './instances';
import type { ModelSignature, PredictResult } from './signature';
import type { ColumnData, RunOutputs } from './thread-protocol';

/**
 * The columns of several requests, concatenated in order: per float feature a float32 array for the
 * whole batch (a request's text columns are used as they are when it is alone). The float features
 * share one buffer, each a view of its part: an ArrayBuffer costs more to allocate and to free (V8
 * sweeps them on its background threads, which compete with serving on a small machine) than the
 * copy, so a batch makes one, not one per feature. `scratch`, when large enough, is filled instead
 * of a new buffer (the pool's inline runs, one at a time, reuse one); `buffer` is the one filled.
 */
export function mergeColumns(
  sig: ModelSignature,
  parts: readonly Columns[],
  scratch?: Float32Array,
): { rows: number; feeds: Record<string, ColumnData>; buffer: Float32Array } {
  let rows = 0;
  for (const p of parts) rows += p.rowCount;
  let floats = 0;
  for (const f of sig.features) if (f.type === 'float') floats++;
  const buffer = scratch && scratch.length >= rows * floats ? scratch : new Float32Array(rows * floats);
  const feeds: Record<string, ColumnData> = {};
  let column = 0;
  for (const f of sig.features) {
    if (f.type === 'float') {
      const out = buffer.subarray(column * rows, (column + 1) * rows);
      column++;
      let at = 0;
      for (const p of parts) {
        const values = p.values[f.name] as number[];
        for (let i = 0; i < values.length; i++) out[at + i] = values[i]!;
        at += values.length;
      }
      feeds[f.name] = out;
    } else if (parts.length === 1) {
      feeds[f.name] = parts[0]!.values[f.name] as string[];
    } else {
      const out: string[] = [];
      for (const p of parts) for (const s of p.values[f.name] as string[]) out.push(s);
      feeds[f.name] = out;
    }
  }
  return { rows, feeds, buffer };
}

/** The typed-array buffers among the feeds (each once), to transfer to the thread instead of copying. */
export function transferables(feeds: Record<string, ColumnData>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of Object.values(feeds)) if (v instanceof Float32Array) out.add(v.buffer as ArrayBuffer);
  return [...out];
}

function toValue(v: bigint | number | string): string | number {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** One batch's outputs as a result per request, `counts[j]` rows each, in order. */
export function splitOutputs(
  sig: ModelSignature,
  outputs: RunOutputs,
  names: readonly string[],
  counts: readonly number[],
): PredictResult[] {
  const results: PredictResult[] = [];
  if (sig.task === 'regression') {
    const values = outputs[names[0]!] as ArrayLike<number>;
    let at = 0;
    for (const n of counts) {
      const predictions = new Array<number>(n);
      for (let i = 0; i < n; i++) predictions[i] = values[at + i]!;
      results.push({ predictions, probabilities: null });
      at += n;
    }
    return results;
  }
  const label = outputs.label as ArrayLike<bigint | number | string>;
  const proba = outputs.probabilities as Float32Array;
  const total = counts.reduce((s, n) => s + n, 0);
  const k = total > 0 ? proba.length / total : (sig.classes?.length ?? 0);
  let at = 0;
  for (const n of counts) {
    const predictions = new Array<string | number>(n);
    const probabilities = new Array<number[]>(n);
    for (let i = 0; i < n; i++) {
      const r = at + i;
      predictions[i] = toValue(label[r]!);
      const row = new Array<number>(k);
      for (let c = 0; c < k; c++) row[c] = proba[r * k + c]!;
      probabilities[i] = row;
    }
    results.push({ predictions, probabilities });
    at += n;
  }
  return results;
}
