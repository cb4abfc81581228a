import { Rng } from './random';
import type { ObjectiveName } from './types';

/** Seeded synthetic tabular data for tests and quick timings. */
export interface SyntheticData {
  readonly columns: Float64Array[];
  readonly labels: Float64Array;
}

export interface SyntheticOptions {
  readonly rows: number;
  readonly features: number;
  readonly seed?: number;
  /** Share of values set to NaN in features 1 and 2 (default 0). */
  readonly missingRate?: number;
  /** Classes for multiclass (default 3). */
  readonly classes?: number;
  /** Label noise scale (default 0.5). */
  readonly noise?: number;
}

function gaussian(rng: Rng): number {
  const u = rng.next() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Gaussian features; the target is a non-linear function of the first five (a product, an absolute
 * value, a sine) plus noise. Missing values in features 1 and 2 push the score up, so the trees have
 * to learn where missing values go.
 */
export function makeSynthetic(objective: ObjectiveName, options: SyntheticOptions): SyntheticData {
  const { rows, features } = options;
  const rng = new Rng(options.seed ?? 1);
  const missingRate = options.missingRate ?? 0;
  const noise = options.noise ?? 0.5;
  const classes = options.classes ?? 3;
  const columns = Array.from({ length: features }, () => new Float64Array(rows));
  const labels = new Float64Array(rows);
  const at = (f: number, i: number) => (f < features ? columns[f]![i]! : 0);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < features; f++) columns[f]![i] = gaussian(rng);
    let score =
      at(0, i) + 0.8 * at(1, i) * at(2, i) - 0.7 * Math.abs(at(3, i)) + Math.sin(2 * at(4, i)) + 0.3;
    for (const f of [1, 2]) {
      if (f < features && rng.next() < missingRate) {
        columns[f]![i] = NaN;
        score += 1;
      }
    }
    const noisy = score + noise * gaussian(rng);
    if (objective === 'binary') labels[i] = noisy > 0 ? 1 : 0;
    else if (objective === 'regression') labels[i] = noisy;
    else {
      // Class k's score: a different projection each, argmax wins.
      let best = 0;
      let bestScore = -Infinity;
      for (let k = 0; k < classes; k++) {
        const s =
          (k === 0 ? noisy : k === 1 ? at(5, i) - at(0, i) : -noisy + at(6, i)) + noise * gaussian(rng);
        if (s > bestScore) {
          bestScore = s;
          best = k;
        }
      }
      labels[i] = best;
    }
  }
  return { columns, labels };
}

/** Splits rows `[0, cut)` and `[cut, n)`. */
export function splitRows(data: SyntheticData, cut: number): [SyntheticData, SyntheticData] {
  const part = (from: number, to: number): SyntheticData => ({
    columns: data.columns.map((c) => c.slice(from, to)),
    labels: data.labels.slice(from, to),
  });
  return [part(0, cut), part(cut, data.labels.length)];
}
