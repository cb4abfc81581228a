// Drift between a sample of columns and a reference: population stability index over the
// reference's histogram bins or categories, and the two-sample Kolmogorov–Smirnov statistic.
import type { Cell } from '../preprocess/column-data';

/** Population stability index of two count vectors (proportions floored at 1e-4). */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  const e = expected.reduce((s, x) => s + x, 0) || 1;
  const a = actual.reduce((s, x) => s + x, 0) || 1;
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    const pe = Math.max(expected[i]! / e, 1e-4);
    const pa = Math.max(actual[i]! / a, 1e-4);
    total += (pa - pe) * Math.log(pa / pe);
  }
  return total;
}

/** Two-sample Kolmogorov–Smirnov statistic (largest gap between the empirical CDFs). */
export function ksStatistic(a: number[], b: number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

function numbers(values: readonly Cell[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    if (typeof v === 'number') out.push(v);
    else if (typeof v === 'boolean') out.push(v ? 1 : 0);
  }
  return out;
}

/** Which columns to compare and when a difference counts as drift. */
export interface DriftOptions {
  columns?: string[] | undefined;
  psiThreshold: number;
  ksThreshold: number;
}

/** Columns of plain cells by name. */
export interface CellColumns {
  readonly names: readonly string[];
  readonly values: Readonly<Record<string, readonly Cell[] | undefined>>;
}

/** What drift reads of a reference column's statistics (a Dataset's column stats have it). */
export interface ReferenceStats {
  readonly name: string;
  readonly kind: string;
  /** Bin edges and counts of a numeric column. */
  readonly histogram?: { readonly edges: readonly number[]; readonly counts: readonly number[] } | null;
}

/** A column's drift: PSI (and KS for numbers) against the reference, and whether it stays within the thresholds. */
export interface ColumnDrift {
  column: string;
  passed: boolean;
  psi?: number;
  ks?: number;
  message: string;
}

/**
 * One result per column: PSI over the reference's histogram bins or categories, plus KS for numbers;
 * a column missing on either side does not pass. Columns of other kinds (dates) are not compared.
 */
export function columnDrift(cols: CellColumns, reference: CellColumns, refStats: readonly ReferenceStats[], p: DriftOptions): ColumnDrift[] {
  const names = p.columns ?? cols.names.filter((n) => reference.values[n] !== undefined);
  const out: ColumnDrift[] = [];
  for (const name of names) {
    const current = cols.values[name];
    const referenceValues = reference.values[name];
    if (!current || !referenceValues) {
      out.push({ column: name, passed: false, message: `${name}: not in both the dataset and the reference` });
      continue;
    }
    const stats = refStats.find((s) => s.name === name);
    if (stats?.kind === 'numeric' && stats.histogram) {
      const { edges, counts } = stats.histogram;
      const bins = new Array<number>(counts.length).fill(0);
      const last = counts.length - 1;
      for (const x of numbers(current)) {
        let k = 0;
        while (k < last && x >= edges[k + 1]!) k++;
        bins[k]!++;
      }
      const psiValue = psi(counts, bins);
      const ks = ksStatistic(numbers(current), numbers(referenceValues));
      out.push({
        column: name,
        passed: psiValue <= p.psiThreshold && ks <= p.ksThreshold,
        psi: psiValue,
        ks,
        message: `${name}: PSI ${psiValue.toFixed(4)} (max ${p.psiThreshold}), KS ${ks.toFixed(4)} (max ${p.ksThreshold})`,
      });
    } else if (stats?.kind === 'categorical' || stats?.kind === 'bool') {
      const refCounts = new Map<string, number>();
      for (const v of referenceValues) if (v !== null) refCounts.set(String(v), (refCounts.get(String(v)) ?? 0) + 1);
      const keys = [...refCounts.keys()].sort((a, b) => refCounts.get(b)! - refCounts.get(a)!).slice(0, 50);
      const index = new Map(keys.map((k, i) => [k, i]));
      const expected = [...keys.map((k) => refCounts.get(k)!), 0];
      for (const [k, c] of refCounts) if (!index.has(k)) expected[keys.length]! += c;
      const actual = new Array<number>(keys.length + 1).fill(0);
      for (const v of current) if (v !== null) actual[index.get(String(v)) ?? keys.length]!++;
      const psiValue = psi(expected, actual);
      out.push({
        column: name,
        passed: psiValue <= p.psiThreshold,
        psi: psiValue,
        message: `${name}: PSI ${psiValue.toFixed(4)} over the reference's categories (max ${p.psiThreshold})`,
      });
    }
  }
  return out;
}
