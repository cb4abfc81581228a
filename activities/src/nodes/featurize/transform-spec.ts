import type { Cell, Columns } from '../shared/tabular';
import { NodeFailure } from '../../define-node';

/** How missing numbers are filled. */
export type ImputeStrategy = 'mean' | 'median' | 'most_frequent' | 'constant';
export type ScaleMethod = 'none' | 'standard' | 'minmax' | 'robust';
export type Encoding = 'onehot' | 'ordinal';
export type Task = 'binary' | 'multiclass' | 'regression';

/** A raw numeric column (int, float, bool, date as epoch ms): served as a float tensor [N,1]. */
export interface NumericFeature {
  name: string;
  kind: 'numeric';
  /** Replaces missing values (NaN). */
  impute: number;
  /** y = (x − offset) × scale. */
  offset: number;
  scale: number;
}

/** A raw text column: served as a string tensor [N,1]; a missing value is served as "". */
export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** Replaces missing ("") values. */
  impute: string;
  encoding: Encoding;
  /** Known categories, in output order; an unknown one encodes as all zeros (one-hot) or −1 (ordinal). */
  categories: string[];
}

export type FeatureSpec = NumericFeature | CategoricalFeature;

/** The fitted preprocessing, a JSON artifact on the `transform` port. */
export interface TransformSpec {
  kind: 'kiln.transform/v1';
  target: string;
  task: Task;
  /** Ordered class labels (classification), null for regression. */
  classes: (string | number)[] | null;
  features: FeatureSpec[];
  /** Names of the model's input columns after preprocessing, in order. */
  outputFeatures: string[];
  /**
   * The options the features were fitted with, so the same preprocessing can be fitted again on
   * other rows (train.cv refits it on each fold's training rows). Absent in older transforms.
   */
  fit?: FitOptions;
}

export interface FitOptions {
  impute: ImputeStrategy;
  imputeConstant: number;
  imputeConstantText: string;
  scale: ScaleMethod;
  encoding: Encoding;
  maxCategories: number;
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function cellNumber(v: Cell | undefined): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
}

export function cellText(v: Cell | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** Fits one feature's parameters on the training rows. */
export function fitFeature(cols: Columns, name: string, rows: readonly number[], o: FitOptions): FeatureSpec {
  const values = cols.values[name]!;
  if (cols.types[name] === 'string') {
    const counts = new Map<string, number>();
    for (const r of rows) {
      const v = cellText(values[r]);
      if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (counts.size === 0) {
      throw new NodeFailure(`feature column "${name}" has only missing values in the training split: drop it`, {
        type: 'BadInput',
        retryable: false,
      });
    }
    if (o.encoding === 'onehot' && counts.size > o.maxCategories) {
      throw new NodeFailure(
        `categorical column "${name}" has ${counts.size} distinct values in the training split, above maxCategories ` +
          `(${o.maxCategories}) for one-hot encoding: drop it, use ordinal encoding, or raise maxCategories`,
        { type: 'TooManyCategories', retryable: false },
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
  const present: number[] = [];
  for (const r of rows) {
    const x = cellNumber(values[r]);
    if (!Number.isNaN(x)) present.push(Math.fround(x));
  }
  if (present.length === 0) {
    throw new NodeFailure(`feature column "${name}" has only missing values in the training split: drop it`, {
      type: 'BadInput',
      retryable: false,
    });
  }
  // A typed array sorts numbers natively (present holds no NaN).
  const sorted = Float64Array.from(present).sort();
  const mean = present.reduce((s, x) => s + x, 0) / present.length;
  let impute: number;
  switch (o.impute) {
    case 'mean':
      impute = mean;
      break;
    case 'median':
      impute = quantile(sorted, 0.5);
      break;
    case 'constant':
      impute = o.imputeConstant;
      break;
    case 'most_frequent': {
      const counts = new Map<number, number>();
      let best = sorted[0]!;
      for (const x of sorted) {
        const c = (counts.get(x) ?? 0) + 1;
        counts.set(x, c);
        if (c > counts.get(best)!) best = x;
      }
      impute = best;
      break;
    }
  }
  let offset = 0;
  let spread = 1;
  if (o.scale === 'standard') {
    offset = mean;
    spread = Math.sqrt(present.reduce((s, x) => s + (x - mean) ** 2, 0) / present.length);
  } else if (o.scale === 'minmax') {
    offset = sorted[0]!;
    spread = sorted[sorted.length - 1]! - sorted[0]!;
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
export function refitTransform(spec: TransformSpec, cols: Columns, rows: readonly number[]): TransformSpec {
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
export function applyTransform(spec: TransformSpec, cols: Columns, rows: readonly number[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const f of spec.features) {
    const values = cols.values[f.name];
    if (!values) {
      throw new NodeFailure(`the dataset has no column "${f.name}", which the transform needs`, {
        type: 'BadInput',
        retryable: false,
      });
    }
    if (f.kind === 'numeric') {
      const col = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        let x = Math.fround(cellNumber(values[rows[i]!]));
        if (Number.isNaN(x)) x = f.impute;
        col[i] = Math.fround(Math.fround(x - f.offset) * f.scale);
      }
      out.push(col);
      continue;
    }
    const index = new Map(f.categories.map((c, k) => [c, k]));
    const codes = rows.map((r) => {
      const v = cellText(values[r]);
      return index.get(v === '' ? f.impute : v) ?? -1;
    });
    if (f.encoding === 'ordinal') {
      out.push(Float64Array.from(codes));
    } else {
      // One pass over the rows sets each row's one column (an unknown category sets none).
      const onehot = f.categories.map(() => new Float64Array(rows.length));
      codes.forEach((c, i) => {
        if (c >= 0) onehot[c]![i] = 1;
      });
      out.push(...onehot);
    }
  }
  return out;
}

/** Class index per row (classification) or the target value (regression); throws on a missing target. */
export function encodeTarget(spec: TransformSpec, cols: Columns, rows: readonly number[]): Float64Array {
  const values = cols.values[spec.target];
  if (!values) {
    throw new NodeFailure(`the dataset has no target column "${spec.target}"`, { type: 'BadInput', retryable: false });
  }
  const index = spec.classes ? new Map(spec.classes.map((c, k) => [String(c), k])) : null;
  return Float64Array.from(rows, (r) => {
    const v = values[r];
    if (v === null || v === undefined) {
      throw new NodeFailure(`target column "${spec.target}" is missing in row ${r + 1}`, { type: 'BadInput', retryable: false });
    }
    if (!index) return cellNumber(v);
    const k = index.get(String(v));
    if (k === undefined) {
      throw new NodeFailure(`target value ${JSON.stringify(v)} in row ${r + 1} is not one of the classes seen in training`, {
        type: 'BadInput',
        retryable: false,
      });
    }
    return k;
  });
}

/** Checks a value read from the `transform` port. */
export function requireTransformSpec(value: unknown): TransformSpec {
  const v = value as Partial<TransformSpec> | null;
  if (!v || v.kind !== 'kiln.transform/v1' || !Array.isArray(v.features)) {
    throw new NodeFailure('the transform is not a kiln.transform/v1 document', { type: 'BadInput', retryable: false });
  }
  return v as TransformSpec;
}
