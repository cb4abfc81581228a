import type { Task, TransformValue } from '@kiln/engine';
import { NodeFailure, defineNode } from '../define-node';
import { columnData, readColumns, rng, writeRows, type ColumnData } from '../shared/tabular';
import { textCodesOf } from '@kiln/ml/preprocess/column-data';
import type { ColumnType } from '@kiln/tabular/type-inference';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';
import { fitFeature, outputNames, type FitOptions, type TransformSpec } from './transform-spec';
import declaration from './tabular.decl';

export const TRANSFORM_MEDIA_TYPE = 'application/vnd.kiln.transform+json';

/** Rows grouped for a stratified split: `of[r]` is row r's group, named `keys[of[r]]`. */
export interface Strata {
  of: Int32Array;
  keys: readonly string[];
}

/**
 * Seeded split; stratified by class when `strata` is given (a key per row, or rows already grouped).
 * Returns sorted row indices.
 */
export function splitRows(
  n: number,
  testFraction: number,
  seed: number,
  strata?: readonly string[] | Strata,
): { train: number[]; test: number[] } {
  const random = rng(seed);
  const grouped = strata === undefined ? { of: new Int32Array(n), keys: [''] } : Array.isArray(strata) ? groupKeys(strata as readonly string[]) : (strata as Strata);
  const sizes = new Int32Array(grouped.keys.length);
  for (let r = 0; r < n; r++) sizes[grouped.of[r]!]!++;
  // Each group's rows in ascending order.
  const groups = Array.from(sizes, (size) => new Int32Array(size));
  const filled = new Int32Array(grouped.keys.length);
  for (let r = 0; r < n; r++) {
    const g = grouped.of[r]!;
    groups[g]![filled[g]!++] = r;
  }
  const inTest = new Uint8Array(n);
  const order = grouped.keys.map((key, g) => ({ key, g })).filter(({ g }) => sizes[g]! > 0);
  order.sort(({ key: a }, { key: b }) => (a < b ? -1 : a > b ? 1 : 0));
  let tests = 0;
  for (const { key, g } of order) {
    const rows = groups[g]!;
    if (strata && rows.length < 2) {
      throw new NodeFailure(
        `class ${JSON.stringify(key)} has ${rows.length} row: a stratified split needs at least 2 rows per class ` +
          '(one for each split); remove the class, add rows, or set stratify: false',
        { type: 'BadInput', retryable: false },
      );
    }
    // Fisher–Yates with the seeded generator, as `shuffle` does.
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = t;
    }
    let k = Math.round(rows.length * testFraction);
    if (strata) k = Math.min(rows.length - 1, Math.max(1, k));
    for (let i = 0; i < k; i++) inTest[rows[i]!] = 1;
    tests += k;
  }
  if (tests === 0 || tests === n) {
    throw new NodeFailure(`cannot split ${n} rows into non-empty train and test sets`, { type: 'BadInput', retryable: false });
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let r = 0; r < n; r++) (inTest[r] === 1 ? test : train).push(r);
  return { train, test };
}

function groupKeys(strata: readonly string[]): Strata {
  const index = new Map<string, number>();
  const keys: string[] = [];
  const of = Int32Array.from(strata, (key) => {
    let g = index.get(key);
    if (g === undefined) {
      index.set(key, (g = keys.length));
      keys.push(key);
    }
    return g;
  });
  return { of, keys };
}

function inferTask(type: ColumnType, distinct: number): Task {
  if (type === 'float' || (type === 'int' && distinct > 20)) return 'regression';
  return distinct <= 2 ? 'binary' : 'multiclass';
}

/** The target's distinct values, sorted: numbers for a numeric target, else text. */
function sortedClasses(type: ColumnType, data: ColumnData, dictionary: readonly string[]): (string | number)[] {
  return data.kind === 'number' && type !== 'bool' ? dictionary.map(Number).sort((a, b) => a - b) : [...dictionary].sort();
}

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const cols = await readColumns(ctx.store, inputs.dataset);
    const bad = (message: string) => new NodeFailure(message, { type: 'BadInput', retryable: false });
    if (!Object.hasOwn(cols.types, p.target)) {
      throw bad(`target column "${p.target}" is not in the dataset (columns: ${cols.names.join(', ')})`);
    }
    for (const d of p.drop) if (!Object.hasOwn(cols.types, d)) throw bad(`drop: no column "${d}" in the dataset (columns: ${cols.names.join(', ')})`);
    const targetType = cols.types[p.target]!;
    const targetData = columnData(cols, p.target)!;
    const target = textCodesOf(targetData, targetType);
    const missingTarget = target.codes.indexOf(-1);
    if (missingTarget >= 0) {
      let count = 0;
      for (const k of target.codes) if (k < 0) count++;
      throw bad(`target column "${p.target}" has ${count} missing value(s), the first in row ${missingTarget + 1}; drop those rows first`);
    }
    const task = p.task === 'auto' ? inferTask(targetType, target.dictionary.length) : p.task;
    if (task === 'regression' && !['int', 'float'].includes(targetType)) {
      throw bad(`regression needs a numeric target, but "${p.target}" is ${targetType}`);
    }
    const classes = task === 'regression' ? null : sortedClasses(targetType, targetData, target.dictionary);
    if (classes && classes.length < 2) throw bad(`target column "${p.target}" has a single class: nothing to learn`);
    if (task === 'binary' && classes!.length > 2) throw bad(`task binary, but "${p.target}" has ${classes!.length} classes`);

    const strata = classes && p.stratify ? { of: target.codes, keys: target.dictionary } : undefined;
    const { train, test } = splitRows(cols.rowCount, p.testFraction, p.seed, strata);

    const featureNames = cols.names.filter((n) => n !== p.target && !p.drop.includes(n));
    if (featureNames.length === 0) throw bad('no feature columns left after dropping the target and `drop`');
    const fit: FitOptions = {
      impute: p.impute,
      imputeConstant: p.imputeConstant,
      imputeConstantText: p.imputeConstantText,
      scale: p.scale,
      encoding: p.encoding,
      maxCategories: p.maxCategories,
    };
    const features = featureNames.map((name) => fitFeature(cols, name, train, fit));
    const spec: TransformSpec = {
      kind: 'kiln.transform/v1',
      target: p.target,
      task,
      classes,
      features,
      outputFeatures: features.flatMap(outputNames),
      fit,
    };
    const tmpDir = await ctx.scratchDir();
    const trainRef = await writeRows(ctx.store, cols, train, tmpDir);
    const testRef = await writeRows(ctx.store, cols, test, tmpDir);
    return { outputs: { train: trainRef, test: testRef, transform: await storeTransform(ctx.store, spec) } };
  },
});

/** Stores a transform spec as JSON and gives the `Transform` port value that refers to it. */
export async function storeTransform(store: ArtifactStore, spec: TransformSpec): Promise<TransformValue> {
  const artifact = await store.put(new TextEncoder().encode(JSON.stringify(spec)), {
    mediaType: TRANSFORM_MEDIA_TYPE,
    meta: { target: spec.target, task: spec.task, features: spec.features.length },
  });
  return {
    artifact,
    target: spec.target,
    task: spec.task,
    classes: spec.classes,
    features: spec.features.map((f) => ({ name: f.name, type: f.kind === 'numeric' ? 'float' : 'string' })),
    outputFeatures: spec.outputFeatures.length,
  };
}
