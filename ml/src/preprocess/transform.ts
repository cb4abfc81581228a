// Tabular preprocessing: fitting imputation, scaling and encoding on training rows, applying it in
// float32 arithmetic as the exported ONNX graph does, and encoding targets. The fitted form
// (`TransformSpec`) is the JSON document on a pipeline's `transform` port.
import { numbersOf, textCodesOf, type ColumnData } from './column-data';
import { type CategoricalFeature, type FeatureSpec, type FitOptions, type TransformSpec, transformSpecSchema } from './transform-schema';

export * from './transform-schema';

/** What a transform reads: each column's type name (as in the dataset schema) and typed data. */
export interface TransformColumns {
  readonly types: Readonly<Record<string, string>>;
  /** The column's typed data; undefined when there is no such column. */
  data(name: string): ColumnData | undefined;
}

/** Why a transform cannot be fitted or applied: `reason` names the kind of bad input. */
export class TransformError extends Error {
  constructor(
    message: string,
    readonly reason: 'BadInput' | 'TooManyCategories',
  ) {
    super(message);
    this.name = 'TransformError';
  }
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * {@link quantile} without sorting: the order statistics it needs, found by selection in linear time
 * (rearranges `values`, which must hold no NaN).
 */
function selectQuantile(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = select(values, lo);
  if (hi === lo) return a;
  // Everything after index lo is at least a: the next order statistic is their minimum.
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (values[i]! < b) b = values[i]!;
  return a + (b - a) * (pos - lo);
}

/** Rearranges `v` so that `v[k]` is its k-th smallest value, smaller ones before, larger after (Hoare). */
function select(v: Float64Array, k: number): number {
  let left = 0;
  let right = v.length - 1;
  while (left < right) {
    // Median of three as the pivot, so sorted input stays linear.
    const mid = (left + right) >> 1;
    const x = v[left]!;
    const y = v[mid]!;
    const z = v[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i] = v[j]!;
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return v[k]!;
  }
  return v[k]!;
}

function missingColumn(name: string): TransformError {
  return new TransformError(`the dataset has no column "${name}", which the transform needs`, 'BadInput');
}

function onlyMissing(name: string): TransformError {
  return new TransformError(`feature column "${name}" has only missing values in the training split: drop it`, 'BadInput');
}

/** Fits one feature's parameters on the training rows. */
export function fitFeature(cols: TransformColumns, name: string, rows: ArrayLike<number>, o: FitOptions): FeatureSpec {
  const data = cols.data(name);
  if (!data) throw missingColumn(name);
  if (cols.types[name] === 'string') {
    const { codes, dictionary } = textCodesOf(data, 'string');
    const perCode = new Float64Array(dictionary.length);
    for (let i = 0; i < rows.length; i++) {
      const k = codes[rows[i]!]!;
      if (k >= 0) perCode[k]!++;
    }
    // An empty text counts as missing, as it is served.
    const counts = new Map<string, number>();
    dictionary.forEach((v, k) => {
      if (v !== '' && perCode[k]! > 0) counts.set(v, perCode[k]!);
    });
    if (counts.size === 0) throw onlyMissing(name);
    if (o.encoding === 'onehot' && counts.size > o.maxCategories) {
      throw new TransformError(
        `categorical column "${name}" has ${counts.size} distinct values in the training split, above maxCategories ` +
          `(${o.maxCategories}) for one-hot encoding: drop it, use ordinal encoding, or raise maxCategories`,
        'TooManyCategories',
      );
    }
    const categories = [...counts.keys()].sort();
    let mode = categories[0]!;
    for (const c of categories) if (counts.get(c)! > counts.get(mode)!) mode = c;
    return {
      name,
      kind: 'categorical',
      impute: o.impute === 'constant' ? o.imputeConstantText : mode,
      encoding: o.encoding,
      categories,
    };
  }
  const values = numbersOf(data);
  const all = new Float64Array(rows.length);
  let count = 0;
  for (let i = 0; i < rows.length; i++) {
    const x = values[rows[i]!]!;
    if (x === x) all[count++] = Math.fround(x);
  }
  if (count === 0) throw onlyMissing(name);
  const present = all.subarray(0, count);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += present[i]!;
  const mean = sum / count;
  // A typed array sorts numbers natively (present holds no NaN); a median alone is selected, not sorted.
  const needsSorted = o.impute === 'most_frequent' || o.scale === 'minmax' || o.scale === 'robust';
  const sorted = needsSorted ? present.slice().sort() : present;
  let impute: number;
  switch (o.impute) {
    case 'mean':
      impute = mean;
      break;
    case 'median':
      impute = needsSorted ? quantile(sorted, 0.5) : selectQuantile(present.slice(), 0.5);
      break;
    case 'constant':
      impute = o.imputeConstant;
      break;
    case 'most_frequent': {
      // The longest run of equal values in sorted order; the smallest value wins a tie.
      let best = sorted[0]!;
      let bestRun = 0;
      for (let i = 0; i < count;) {
        let j = i + 1;
        while (j < count && sorted[j] === sorted[i]) j++;
        if (j - i > bestRun) {
          best = sorted[i]!;
          bestRun = j - i;
        }
        i = j;
      }
      impute = best;
      break;
    }
  }
  let offset = 0;
  let spread = 1;
  if (o.scale === 'standard') {
    offset = mean;
    let squares = 0;
    for (let i = 0; i < count; i++) squares += (present[i]! - mean) ** 2;
    spread = Math.sqrt(squares / count);
  } else if (o.scale === 'minmax') {
    offset = sorted[0]!;
    spread = sorted[count - 1]! - sorted[0]!;
  } else if (o.scale === 'robust') {
    offset = quantile(sorted, 0.5);
    spread = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  }
  return {
    name,
    kind: 'numeric',
    impute: Math.fround(impute),
    offset: Math.fround(offset),
    scale: Math.fround(spread > 0 && Number.isFinite(spread) ? 1 / spread : 1),
  };
}

/**
 * The same preprocessing fitted again on other rows of a dataset (`spec.fit`'s options, the same
 * features, target and classes): what a cross-validation fold trains with, so its held-out rows play
 * no part in the imputation, scaling or categories. Throws when the spec has no `fit` (a transform
 * written before it was recorded).
 */
export function refitTransform(spec: TransformSpec, cols: TransformColumns, rows: ArrayLike<number>): TransformSpec {
  const fit = spec.fit;
  if (!fit) throw new Error('the transform does not record its fit options; run featurize.tabular again');
  const features = spec.features.map((f) => fitFeature(cols, f.name, rows, fit));
  return { ...spec, features, outputFeatures: features.flatMap(outputNames) };
}

/** The names of the preprocessed columns a feature produces. */
export function outputNames(f: FeatureSpec): string[] {
  if (f.kind === 'categorical' && f.encoding === 'onehot') return f.categories.map((c) => `${f.name}=${c}`);
  return [f.name];
}

/**
 * Applies the transform to rows, in float32 arithmetic like the ONNX graph, giving one Float64Array per
 * output feature (column-major, the booster's input).
 */
export function applyTransform(spec: TransformSpec, cols: TransformColumns, rows: ArrayLike<number>): Float64Array[] {
  const out: Float64Array[] = [];
  for (const f of spec.features) {
    const data = cols.data(f.name);
    if (!data) throw missingColumn(f.name);
    if (f.kind === 'numeric') {
      const values = numbersOf(data);
      const col = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        let x = Math.fround(values[rows[i]!]!);
        if (Number.isNaN(x)) x = f.impute;
        col[i] = Math.fround(Math.fround(x - f.offset) * f.scale);
      }
      out.push(col);
      continue;
    }
    const { codes, byCode, missing } = categoryCodes(f, data, cols.types[f.name]!);
    if (f.encoding === 'ordinal') {
      const col = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const k = codes[rows[i]!]!;
        col[i] = k < 0 ? missing : byCode[k]!;
      }
      out.push(col);
    } else {
      // One pass over the rows sets each row's one column (an unknown category sets none).
      const onehot = f.categories.map(() => new Float64Array(rows.length));
      for (let i = 0; i < rows.length; i++) {
        const k = codes[rows[i]!]!;
        const c = k < 0 ? missing : byCode[k]!;
        if (c >= 0) onehot[c]![i] = 1;
      }
      out.push(...onehot);
    }
  }
  return out;
}

/**
 * A text column's codes with, per code, the feature's category index (the imputed value's for an
 * empty text, −1 for an unknown category), and the index a missing value takes.
 */
function categoryCodes(f: CategoricalFeature, data: ColumnData, type: string) {
  const { codes, dictionary } = textCodesOf(data, type);
  const index = new Map(f.categories.map((c, k) => [c, k]));
  const byCode = Int32Array.from(dictionary, (v) => index.get(v === '' ? f.impute : v) ?? -1);
  return { codes, byCode, missing: index.get(f.impute) ?? -1 };
}

/** Class index per row (classification) or the target value (regression); throws on a missing target. */
export function encodeTarget(spec: TransformSpec, cols: TransformColumns, rows: ArrayLike<number>): Float64Array {
  const data = cols.data(spec.target);
  if (!data) {
    throw new TransformError(`the dataset has no target column "${spec.target}"`, 'BadInput');
  }
  const missing = (r: number) =>
    new TransformError(`target column "${spec.target}" is missing in row ${r + 1}`, 'BadInput');
  const out = new Float64Array(rows.length);
  if (!spec.classes) {
    const values = numbersOf(data);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const x = values[r]!;
      // A text target that is not a number is NaN, as it was from cells; only a missing one fails.
      if (x !== x && (data.kind === 'number' || data.codes[r]! < 0)) throw missing(r);
      out[i] = x;
    }
    return out;
  }
  const index = new Map(spec.classes.map((c, k) => [String(c), k]));
  const { codes, dictionary } = textCodesOf(data, cols.types[spec.target]!);
  const byCode = dictionary.map((v) => index.get(v));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const code = codes[r]!;
    if (code < 0) throw missing(r);
    const k = byCode[code];
    if (k === undefined) {
      throw new TransformError(
        `target value ${JSON.stringify(cellOf(data, cols.types[spec.target]!, r))} in row ${r + 1} is not one of the classes seen in training`,
        'BadInput',
      );
    }
    out[i] = k;
  }
  return out;
}

/** Row `r` of a column as the plain value its dataset holds (text, number, or boolean for a bool column). */
function cellOf(data: ColumnData, type: string, r: number): string | number | boolean | null {
  if (data.kind === 'text') return data.codes[r]! < 0 ? null : data.dictionary[data.codes[r]!]!;
  const x = data.values[r]!;
  return x !== x ? null : type === 'bool' ? x === 1 : x;
}

/** Checks a document read from the `transform` port's artifact. */
export function requireTransformSpec(value: unknown): TransformSpec {
  const parsed = transformSpecSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new TransformError(`the transform is not a valid kiln.transform/v1 document${at}: ${issue.message}`, 'BadInput');
  }
  return parsed.data;
}
