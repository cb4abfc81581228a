/**
 * A number as people read it: integers (and floats that hold an integer) without decimals
 * ("45927", never "45927.0000"), other values with at most four decimals, trailing zeros dropped.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const rounded = Number(v.toFixed(4));
  // Very small values keep their significant digits instead of rounding to 0.
  if (rounded === 0) return v.toPrecision(3);
  return String(rounded);
}

/** Any scalar of a node's outputs or params as text (objects are the tables' business). */
export function formatScalar(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}
