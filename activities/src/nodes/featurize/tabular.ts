import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import { readColumns, requireDatasetRef, rng, shuffle, writeRows, type Columns } from '../shared/tabular';
import type { ArtifactStore } from '../../store/artifact-store';
import { cellText, fitFeature, outputNames, type FitOptions, type Task, type TransformSpec } from './transform-spec';

export const TRANSFORM_MEDIA_TYPE = 'application/vnd.kiln.transform+json';

const params = z.strictObject({
  target: z.string().min(1).describe('The column to predict.'),
  task: z
    .enum(['auto', 'binary', 'multiclass', 'regression'])
    .default('auto')
    .describe('auto: regression for a float target, or an int target with more than 20 values; otherwise classification.'),
  drop: z.array(z.string()).default([]).describe('Columns that are not features (ids, leaks).'),
  impute: z
    .enum(['mean', 'median', 'most_frequent', 'constant'])
    .default('median')
    .describe('How missing numbers are filled (text columns use the most frequent value, or the text constant).'),
  imputeConstant: z.number().default(0).describe('The fill value of numeric columns with impute = constant.'),
  imputeConstantText: z.string().default('missing').describe('The fill value of text columns with impute = constant.'),
  scale: z.enum(['none', 'standard', 'minmax', 'robust']).default('standard').describe('Scaling of numeric columns.'),
  encoding: z
    .enum(['onehot', 'ordinal'])
    .default('onehot')
    .describe('Text columns: one-hot (an unknown value encodes as all zeros) or ordinal (unknown → −1).'),
  maxCategories: z
    .number()
    .int()
    .positive()
    .default(1000)
    .describe('Refuse to encode a text column with more distinct values than this.'),
  testFraction: z.number().gt(0).lt(1).default(0.2).describe('Fraction of rows held out as the test split.'),
  stratify: z.boolean().default(true).describe('Keep class proportions in both splits (classification).'),
  seed: z.number().int().default(42).describe('Seed of the split.'),
});

function inferTask(cols: Columns, target: string): Task {
  const type = cols.types[target];
  const distinct = new Set(cols.values[target]!.filter((v) => v !== null).map(String));
  if (type === 'float' || (type === 'int' && distinct.size > 20)) return 'regression';
  return distinct.size <= 2 ? 'binary' : 'multiclass';
}

function sortedClasses(values: (string | number)[]): (string | number)[] {
  const uniq = [...new Map(values.map((v) => [String(v), v])).values()];
  return uniq.every((v) => typeof v === 'number')
    ? (uniq as number[]).sort((a, b) => a - b)
    : uniq.map(String).sort();
}

/** Seeded split; stratified by class when `strata` is given. Returns sorted row indices. */
export function splitRows(
  n: number,
  testFraction: number,
  seed: number,
  strata?: readonly string[],
): { train: number[]; test: number[] } {
  const random = rng(seed);
  const groups = new Map<string, number[]>();
  for (let r = 0; r < n; r++) {
    const key = strata ? strata[r]! : '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const [key, rows] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (strata && rows.length < 2) {
      throw new NodeFailure(
        `class ${JSON.stringify(key)} has ${rows.length} row: a stratified split needs at least 2 rows per class ` +
          '(one for each split); remove the class, add rows, or set stratify: false',
        { type: 'BadInput', retryable: false },
      );
    }
    shuffle(rows, random);
    let k = Math.round(rows.length * testFraction);
    if (strata) k = Math.min(rows.length - 1, Math.max(1, k));
    // One push per row: spreading a class of a million rows would overflow the call stack.
    for (let i = 0; i < rows.length; i++) (i < k ? test : train).push(rows[i]!);
  }
  if (train.length === 0 || test.length === 0) {
    throw new NodeFailure(`cannot split ${n} rows into non-empty train and test sets`, { type: 'BadInput', retryable: false });
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

export default defineNode({
  type: 'featurize.tabular',
  version: 1,
  category: 'featurize',
  capabilities: [],
  title: 'Featurize table',
  description:
    'Splits a dataset into train and test (seeded, stratified for classification) and fits the preprocessing on the ' +
    'training split only: imputation, scaling, one-hot or ordinal encoding. The trainer turns the transform into ONNX.',
  inputs: { dataset: 'Dataset' },
  outputs: { train: 'Dataset', test: 'Dataset', transform: 'Transform' },
  params,
  run: async (ctx, inputs, p) => {
    requireDatasetRef(inputs.dataset, 'dataset');
    const cols = await readColumns(ctx.store, inputs.dataset);
    const bad = (message: string) => new NodeFailure(message, { type: 'BadInput', retryable: false });
    if (!cols.values[p.target]) {
      throw bad(`target column "${p.target}" is not in the dataset (columns: ${cols.names.join(', ')})`);
    }
    for (const d of p.drop) if (!cols.values[d]) throw bad(`drop: no column "${d}" in the dataset (columns: ${cols.names.join(', ')})`);
    const targetValues = cols.values[p.target]!;
    const missingTarget = targetValues.findIndex((v) => v === null);
    if (missingTarget >= 0) {
      const count = targetValues.filter((v) => v === null).length;
      throw bad(`target column "${p.target}" has ${count} missing value(s), the first in row ${missingTarget + 1}; drop those rows first`);
    }
    const task = p.task === 'auto' ? inferTask(cols, p.target) : p.task;
    if (task === 'regression' && !['int', 'float'].includes(cols.types[p.target]!)) {
      throw bad(`regression needs a numeric target, but "${p.target}" is ${cols.types[p.target]}`);
    }
    const classes = task === 'regression' ? null : sortedClasses(targetValues as (string | number)[]);
    if (classes && classes.length < 2) throw bad(`target column "${p.target}" has a single class: nothing to learn`);
    if (task === 'binary' && classes!.length > 2) throw bad(`task binary, but "${p.target}" has ${classes!.length} classes`);

    const strata = classes && p.stratify ? targetValues.map((v) => cellText(v)) : undefined;
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
export async function storeTransform(store: ArtifactStore, spec: TransformSpec) {
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
