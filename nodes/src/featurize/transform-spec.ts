// The ML package's preprocessing (`@kiln/ml/preprocess/transform`) on a node's columns: its errors
// about bad input become node failures (same message, `BadInput` or `TooManyCategories`, not retried).
import * as transform from '@kiln/ml/preprocess/transform';
import type { FeatureSpec, FitOptions, TransformColumns, TransformSpec } from '@kiln/ml/preprocess/transform';
import { failingAsNode } from '../shared/ml-failure';
import { columnData, type Columns } from '../shared/tabular';

export type {
  CategoricalFeature,
  Encoding,
  FeatureSpec,
  FitOptions,
  ImputeStrategy,
  NumericFeature,
  ScaleMethod,
  TransformSpec,
} from '@kiln/ml/preprocess/transform';
export { outputNames } from '@kiln/ml/preprocess/transform';

/** A node's columns as the transform reads them. */
function transformColumns(cols: Columns): TransformColumns {
  return { types: cols.types, data: (name) => columnData(cols, name) };
}

/** Fits one feature's parameters on the training rows. */
export function fitFeature(cols: Columns, name: string, rows: ArrayLike<number>, o: FitOptions): FeatureSpec {
  return failingAsNode(() => transform.fitFeature(transformColumns(cols), name, rows, o));
}

/** The same preprocessing fitted again on other rows (a cross-validation fold's). */
export function refitTransform(spec: TransformSpec, cols: Columns, rows: ArrayLike<number>): TransformSpec {
  return failingAsNode(() => transform.refitTransform(spec, transformColumns(cols), rows));
}

/** Applies the transform to rows: one Float64Array per output feature. */
export function applyTransform(spec: TransformSpec, cols: Columns, rows: ArrayLike<number>): Float64Array[] {
  return failingAsNode(() => transform.applyTransform(spec, transformColumns(cols), rows));
}

/** Class index per row (classification) or the target value (regression). */
export function encodeTarget(spec: TransformSpec, cols: Columns, rows: ArrayLike<number>): Float64Array {
  return failingAsNode(() => transform.encodeTarget(spec, transformColumns(cols), rows));
}

/** Checks a document read from the `transform` port's artifact. */
export function requireTransformSpec(value: unknown): TransformSpec {
  return failingAsNode(() => transform.requireTransformSpec(value));
}
