/** How the run view reads node outputs: artifacts, decisions and tables, told apart by shape. */
import { type ArtifactRef, artifactRefSchema } from '@kiln/engine';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is null | boolean | number | string => v === null || typeof v !== 'object';

/** A stored artifact (the engine's `ArtifactRef` port value), which the API serves at `/artifacts/:digest`. */
export type { ArtifactRef };
export const isArtifactRef = (v: unknown): v is ArtifactRef => artifactRefSchema.safeParse(v).success;

/** A file name for an artifact: the output's name and an extension from its media type. */
export function artifactFileName(name: string, ref: ArtifactRef): string {
  const ext: Record<string, string> = {
    'application/json': 'json',
    'application/vnd.apache.arrow.file': 'arrow',
    'application/vnd.apache.parquet': 'parquet',
    'application/onnx': 'onnx',
    'text/csv': 'csv',
    'text/plain': 'txt',
  };
  const known = ext[ref.mediaType.split(';')[0]!.trim()] ?? (ref.mediaType.includes('json') ? 'json' : 'bin');
  return `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${ref.digest.slice(7, 19)}.${known}`;
}

/** A decision a node made, shown as a badge: passed or not, and why. */
export interface Verdict {
  ok: boolean;
  label: string;
  reason?: string;
}

/**
 * The decision in an output, if it is one: a metrics gate (`passed`, `checks`), a promotion
 * (`action`, `reasons`) or an approval (`decision`, `by`).
 */
export function verdictOf(v: unknown): Verdict | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.passed === 'boolean') {
    const checks = Array.isArray(v.checks) ? v.checks.filter(isObject) : [];
    const failed = checks.filter((c) => c.passed === false);
    const messages = (v.passed ? checks : failed)
      .map((c) => c.message)
      .filter((m): m is string => typeof m === 'string');
    return {
      ok: v.passed,
      label: v.passed ? 'passed' : 'failed',
      ...(messages.length ? { reason: messages.join('; ') } : {}),
    };
  }
  if (typeof v.action === 'string' && ['promote', 'rollback', 'none'].includes(v.action)) {
    const reasons = Array.isArray(v.reasons)
      ? v.reasons.filter((r): r is string => typeof r === 'string')
      : [];
    const reason = reasons.join('; ') || (typeof v.reason === 'string' ? v.reason : '');
    const label = { promote: 'promoted', rollback: 'rolled back', none: 'no change' }[
      v.action as 'promote' | 'rollback' | 'none'
    ];
    return { ok: v.action !== 'rollback', label, ...(reason ? { reason } : {}) };
  }
  if (v.decision === 'approved' || v.decision === 'rejected') {
    const by = typeof v.by === 'string' ? `by ${v.by}` : '';
    const comment = typeof v.comment === 'string' ? v.comment : '';
    const reason = [by, comment].filter(Boolean).join(': ');
    return { ok: v.decision === 'approved', label: v.decision, ...(reason ? { reason } : {}) };
  }
  return undefined;
}

/** The first decision among a node's outputs (for the badge on its canvas node). */
export function nodeVerdict(outputs: Record<string, unknown> | undefined): Verdict | undefined {
  for (const v of Object.values(outputs ?? {})) {
    const verdict = verdictOf(v);
    if (verdict) return verdict;
  }
  return undefined;
}

/** Rows of objects whose values are all scalars: drawn as a table with one column per key. */
export function recordTable(v: unknown): { columns: string[]; rows: JsonObject[] } | undefined {
  if (!Array.isArray(v) || v.length === 0 || !v.every((r) => isObject(r) && Object.values(r).every(isScalar)))
    return undefined;
  const rows = v as JsonObject[];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return { columns, rows };
}
