import { AbortError } from '../gbdt/errors';
import type { FeatureMatrix } from '../gbdt/types';
import { ModelInputError } from './errors';
import { TASKS, type Task } from '../task';

export type { Task };

/** Labelled data: `labels[i]` belongs to row i. Features as in the GBDT trainer (NaN = missing). */
export interface Dataset {
  readonly features: FeatureMatrix;
  readonly labels: ArrayLike<number>;
}

/** Called once per solver iteration or epoch; awaited. */
export type ProgressCallback = (
  iteration: number,
  trainLoss: number,
  validMetric: number | undefined,
) => void | Promise<void>;

export interface Columns {
  readonly columns: readonly Float64Array[];
  readonly numRows: number;
  readonly numFeatures: number;
}

export function checkTask(task: unknown): Task {
  if (!TASKS.includes(task as Task)) {
    throw new ModelInputError(`task must be one of ${TASKS.join(', ')}, got ${String(task)}`);
  }
  return task as Task;
}

/**
 * Checks a feature matrix (column list or row-major) and returns it column-major. `NaN` is allowed
 * (missing, replaced by the training mean); ±Infinity is rejected with its row and column.
 */
export function readColumns(matrix: FeatureMatrix, what: string): Columns {
  let columns: readonly Float64Array[];
  let numRows: number;
  if (Array.isArray(matrix)) {
    const list = matrix as readonly Float64Array[];
    if (list.length === 0) throw new ModelInputError(`${what}: no feature columns were given`);
    numRows = list[0]!.length;
    list.forEach((col, f) => {
      if (!(col instanceof Float64Array))
        throw new ModelInputError(`${what}: column ${f} is not a Float64Array`);
      if (col.length !== numRows) {
        throw new ModelInputError(
          `${what}: column ${f} has ${col.length} rows but column 0 has ${numRows}; all columns must have the same length`,
        );
      }
    });
    columns = list;
  } else {
    const { values, rows, cols } = matrix as { values: Float64Array; rows: number; cols: number };
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 1) {
      throw new ModelInputError(`${what}: invalid shape ${rows} × ${cols}`);
    }
    if (!(values instanceof Float64Array) || values.length !== rows * cols) {
      throw new ModelInputError(
        `${what}: ${values?.length} values do not make a ${rows} × ${cols} matrix (expected ${rows * cols})`,
      );
    }
    const out: Float64Array[] = [];
    for (let c = 0; c < cols; c++) {
      const col = new Float64Array(rows);
      for (let r = 0, k = c; r < rows; r++, k += cols) col[r] = values[k]!;
      out.push(col);
    }
    columns = out;
    numRows = rows;
  }
  columns.forEach((col, f) => {
    for (let i = 0; i < col.length; i++) {
      const v = col[i]!;
      if (v === Infinity || v === -Infinity) {
        throw new ModelInputError(`${what}: row ${i}, column ${f} is ${v}; use NaN for a missing value`);
      }
    }
  });
  return { columns, numRows, numFeatures: columns.length };
}

/** Checks labels against the task; returns them as a `Float64Array` plus the number of classes. */
export function readLabels(
  labels: ArrayLike<number>,
  numRows: number,
  task: Task,
  what: string,
  numClasses?: number,
): { labels: Float64Array; numClasses: number } {
  if (labels.length !== numRows) {
    throw new ModelInputError(`${what}: ${labels.length} labels for ${numRows} rows; give one label per row`);
  }
  const y = Float64Array.from(labels);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new ModelInputError(`${what}: label at row ${i} is ${y[i]}; labels must be finite numbers`);
    }
  }
  if (task === 'regression') return { labels: y, numClasses: 1 };
  if (task === 'binary') {
    const bad = y.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0)
      throw new ModelInputError(`${what}: label at row ${bad} is ${y[bad]}; binary labels must be 0 or 1`);
    return { labels: y, numClasses: 2 };
  }
  const bad = y.findIndex(
    (v) => !Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses),
  );
  if (bad >= 0) {
    const range = numClasses !== undefined ? `0..${numClasses - 1}` : 'integers from 0';
    throw new ModelInputError(
      `${what}: label at row ${bad} is ${y[bad]}; multiclass labels must be ${range}`,
    );
  }
  let max = 0;
  for (let i = 0; i < y.length; i++) max = Math.max(max, y[i]!);
  const k = numClasses ?? max + 1;
  if (k < 2) throw new ModelInputError(`${what}: a multiclass model needs at least two classes, got ${k}`);
  return { labels: y, numClasses: k };
}

/** Throws unless the training labels hold at least two distinct classes. */
export function requireTwoClasses(labels: Float64Array, task: Task): void {
  if (task === 'regression' || labels.length === 0) return;
  const first = labels[0];
  if (labels.every((v) => v === first)) {
    throw new ModelInputError(
      `training labels: every row has class ${first}; a ${task} model needs at least two classes`,
    );
  }
}

/**
 * Per-feature mean and standard deviation of the present (non-NaN) training values. A missing value
 * is replaced by the mean; a constant or all-missing column gets scale 1.
 */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

export function fitStandardizer(columns: readonly Float64Array[]): Standardizer {
  const d = columns.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  columns.forEach((col, f) => {
    let n = 0;
    let sum = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i]!;
      if (v === v) {
        sum += v;
        n++;
      }
    }
    const m = n > 0 ? sum / n : 0;
    let ss = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i]!;
      if (v === v) ss += (v - m) * (v - m);
    }
    const sd = n > 0 ? Math.sqrt(ss / n) : 0;
    mean[f] = m;
    scale[f] = sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 1;
  });
  return { mean, scale };
}

/** Row-major `n × d` standardised features (missing → 0, i.e. the training mean). */
export function standardizedRows(columns: readonly Float64Array[], std: Standardizer): Float64Array {
  const d = columns.length;
  const n = d > 0 ? columns[0]!.length : 0;
  const out = new Float64Array(n * d);
  for (let f = 0; f < d; f++) {
    const col = columns[f]!;
    const m = std.mean[f]!;
    const s = std.scale[f]!;
    for (let i = 0, k = f; i < n; i++, k += d) {
      const v = col[i]!;
      out[k] = v === v ? (v - m) / s : 0;
    }
  }
  return out;
}

/** Throws an `AbortError` naming the iteration if the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortError(`training was aborted at ${what}`, { cause: signal.reason });
}

/** Lets timers and other requests run (so an abort raised elsewhere is seen). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function fail(name: string, value: unknown, expected: string): never {
  throw new ModelInputError(`parameter ${name} must be ${expected}, got ${String(value)}`);
}

export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail(name, value, `an integer >= ${min}`);
}

export function checkPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) fail(name, value, 'a finite number > 0');
}

export function checkNonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) fail(name, value, 'a finite number >= 0');
}

/** `log(1 + e^x)` without overflow. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
