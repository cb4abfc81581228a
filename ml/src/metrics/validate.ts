// Input checks shared by every metric: one clear error per mistake, naming the argument and the position.

/** A class label: a string or a finite number (1 and "1" are different labels). */
export type Label = string | number;
/** A list of class labels, one per sample (or the ordered class list). */
export type Labels = readonly Label[];
/** Numbers, as a plain array or a Float64Array. */
export type Numbers = readonly number[] | Float64Array;

/** Thrown when a metric's inputs are malformed (lengths, shapes, NaN, unknown labels, empty input). */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
}

/** A label as it should appear in an error message: strings quoted, numbers bare. */
export function showLabel(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? String(value);
}

/** Fails when a sample array is empty. */
export function requireNonEmpty(name: string, length: number): void {
  if (length === 0) throw new MetricsInputError(`${name} is empty: metrics need at least one sample`);
}

/** Fails unless two per-sample arrays have the same length; the message names both lengths. */
export function requireSameLength(nameA: string, lengthA: number, nameB: string, lengthB: number): void {
  if (lengthA !== lengthB) {
    throw new MetricsInputError(
      `${nameA} has ${lengthA} values but ${nameB} has ${lengthB}: they must hold one value per sample`,
    );
  }
}

/** Fails at the first value that is not a finite number (NaN, ±Infinity, or not a number at all). */
export function requireFinite(name: string, values: ArrayLike<unknown>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new MetricsInputError(`${name}[${i}] is ${showLabel(v)}, not a number`);
    if (!Number.isFinite(v))
      throw new MetricsInputError(`${name}[${i}] is ${v}: values must be finite numbers`);
  }
}

/** Copies numbers into a Float64Array after checking they are all finite. */
export function toFiniteArray(name: string, values: Numbers): Float64Array {
  requireFinite(name, values);
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

/** The ordered class list with a label → column lookup. */
export interface ClassIndex {
  readonly classes: Labels;
  readonly k: number;
  readonly index: ReadonlyMap<Label, number>;
}

/** Checks `classes` (at least two, distinct, strings or finite numbers) and indexes it. */
export function classIndex(classes: Labels): ClassIndex {
  if (!Array.isArray(classes)) throw new MetricsInputError('classes must be an array of labels');
  if (classes.length < 2) {
    throw new MetricsInputError(
      `classes has ${classes.length} label(s): classification needs at least two classes`,
    );
  }
  const index = new Map<Label, number>();
  classes.forEach((c, i) => {
    if (typeof c !== 'string' && !(typeof c === 'number' && Number.isFinite(c))) {
      throw new MetricsInputError(
        `classes[${i}] is ${showLabel(c)}: a class must be a string or a finite number`,
      );
    }
    if (index.has(c)) throw new MetricsInputError(`classes lists ${showLabel(c)} twice`);
    index.set(c, i);
  });
  return { classes, k: classes.length, index };
}

/** Maps each label to its position in `classes`; fails on a label that is not a class. */
export function encodeLabels(name: string, labels: Labels, ci: ClassIndex): Int32Array {
  if (!Array.isArray(labels)) throw new MetricsInputError(`${name} must be an array of labels`);
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (typeof v === 'number' && Number.isNaN(v)) {
      throw new MetricsInputError(`${name}[${i}] is NaN: labels must be strings or finite numbers`);
    }
    const code = ci.index.get(v as Label);
    if (code === undefined) {
      throw new MetricsInputError(
        `${name}[${i}] is ${showLabel(v)}, which is not one of classes [${ci.classes.map(showLabel).join(', ')}]`,
      );
    }
    codes[i] = code;
  }
  return codes;
}

/** Predicted probabilities as an n×k row-major matrix (a binary length-n input becomes columns [1-p, p]). */
export interface ProbaMatrix {
  readonly n: number;
  readonly k: number;
  readonly data: Float64Array;
  /** True when the input was one positive-class probability per sample (binary). */
  readonly fromPositive: boolean;
}

/**
 * Reads `proba` for n samples and k classes: either n×k values row-major, or (k = 2 only) n values,
 * the probability of `classes[1]`. Values must be finite; the range is checked by the metrics that need it.
 */
export function probaMatrix(name: string, proba: Numbers, n: number, k: number): ProbaMatrix {
  if (!(proba instanceof Float64Array) && !Array.isArray(proba)) {
    throw new MetricsInputError(`${name} must be a Float64Array or an array of numbers`);
  }
  if (proba.length === n * k) {
    requireFinite(name, proba);
    return {
      n,
      k,
      data: proba instanceof Float64Array ? proba : Float64Array.from(proba),
      fromPositive: false,
    };
  }
  if (k === 2 && proba.length === n) {
    requireFinite(name, proba);
    const data = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const p = proba[i]!;
      data[2 * i] = 1 - p;
      data[2 * i + 1] = p;
    }
    return { n, k, data, fromPositive: true };
  }
  const rows = proba.length / k;
  const shape = Number.isInteger(rows) ? `${rows} rows` : `not a whole number of rows`;
  const binary = k === 2 ? ` or ${n} positive-class probabilities` : '';
  throw new MetricsInputError(
    `${name} has ${proba.length} values (${shape} of ${k} classes) but y_true has ${n} samples: ` +
      `expected ${n}×${k} = ${n * k} values, row-major${binary}`,
  );
}

/** Fails at the first probability outside [0, 1]. */
export function requireProbabilities(name: string, m: ProbaMatrix): void {
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i]!;
    if (v < 0 || v > 1) {
      const row = Math.floor(i / m.k);
      const where = m.fromPositive ? `${name}[${row}]` : `${name} row ${row}, column ${i % m.k}`;
      const shown = m.fromPositive ? m.data[2 * row + 1]! : v;
      throw new MetricsInputError(`${where} is ${shown}: probabilities must lie within [0, 1]`);
    }
  }
}

/** Column `c` of a probability matrix (for c = 1 of a binary length-n input: the input itself, bit for bit). */
export function probaColumn(m: ProbaMatrix, c: number): Float64Array {
  const out = new Float64Array(m.n);
  for (let i = 0; i < m.n; i++) out[i] = m.data[i * m.k + c]!;
  return out;
}

/** The first row whose sum is not 1 (numpy.allclose tolerance, as scikit-learn's multiclass ROC AUC checks), or null. */
export function firstUnnormalisedRow(m: ProbaMatrix): { row: number; sum: number } | null {
  for (let i = 0; i < m.n; i++) {
    let s = 0;
    for (let c = 0; c < m.k; c++) s += m.data[i * m.k + c]!;
    if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) return { row: i, sum: s };
  }
  return null;
}
