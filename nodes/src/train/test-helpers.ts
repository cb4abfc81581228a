// Shared by the trainer nodes' tests: the churn example prepared as a trainer sees it, and ONNX runs.
import type { ModelValue, TransformValue } from '@kiln/engine';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import ingest from '../ingest/file';
import featurize from '../featurize/tabular';
import { ModelSession } from '@kiln/serving/model-session';
import { featureFeeds } from '../evaluate/feeds';
import {
  applyTransform,
  encodeTarget,
  requireTransformSpec,
  type TransformSpec,
} from '../featurize/transform-spec';
import { getJson, readColumns, type Columns } from '../shared/tabular';
import { tempFile, testContext } from '../shared/test-context';

export const CHURN = fileURLToPath(new URL('../../../examples/churn/churn.csv', import.meta.url));

export interface Prepared {
  ctx: ReturnType<typeof testContext>;
  inputs: { train: DatasetRef; transform: TransformValue };
  test: DatasetRef;
  spec: TransformSpec;
  cols: Columns;
  rows: number[];
  features: Float64Array[];
  labels: Float64Array;
}

/** ingest → featurize, then the training split as plain columns and as the trainer's feature matrix. */
export async function prepare(
  uri: string,
  target: string,
  extra: Record<string, unknown> = {},
): Promise<Prepared> {
  const ctx = testContext();
  const ds = (await ingest.run(ctx, {}, ingest.params.parse({ uri }))).outputs.dataset as DatasetRef;
  const f = await featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target, ...extra }));
  const inputs = {
    train: f.outputs.train as DatasetRef,
    transform: f.outputs.transform as TransformValue,
  };
  const spec = requireTransformSpec(await getJson(ctx.store, inputs.transform.artifact));
  const cols = await readColumns(ctx.store, inputs.train);
  const rows = Array.from({ length: cols.rowCount }, (_, i) => i);
  return {
    ctx,
    inputs,
    test: f.outputs.test as DatasetRef,
    spec,
    cols,
    rows,
    features: applyTransform(spec, cols, rows),
    labels: encodeTarget(spec, cols, rows),
  };
}

export const churn = () => prepare(CHURN, 'churned', { drop: ['customer_id'] });

/** `rows` rows of `v,c,band`: three string classes, by ranges of v. */
export const threeBands = (rows: number) =>
  prepare(
    csv('v,c,band', rows, (i) => `${i % 100},${['x', 'y'][i % 2]},${['low', 'mid', 'high'][Math.floor((i % 100) / 34)]}`),
    'band',
  );

/** 300 rows of `v,c,y`, y linear in v and c: a regression. */
export const lineData = () =>
  prepare(csv('v,c,y', 300, (i) => `${(i % 50) / 10},${['a', 'b'][i % 2]},${((i % 50) / 10) * 2 + (i % 2)}`), 'y');

/** A small CSV in a temp file. */
export function csv(header: string, n: number, row: (i: number) => string): string {
  return tempFile('d.csv', `${header}\n${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`);
}

/** Runs a stored ONNX model on raw rows: `probabilities` (row-major) or `variable`, and `label`. */
export async function runOnnx(
  p: Prepared,
  model: ModelValue,
): Promise<{ scores: Float32Array; label: unknown[] | null }> {
  const session = await ModelSession.open(await p.ctx.store.get(model.artifact.digest), model);
  try {
    const out = await session.run(p.rows.length, featureFeeds(model, p.cols, p.rows), model.task === 'regression' ? session.outputs : ['label', 'probabilities']);
    const scores = (out.probabilities ?? out[session.outputs[0]!]) as Float32Array;
    return { scores: scores.slice(), label: out.label ? Array.from(out.label as ArrayLike<unknown>) : null };
  } finally {
    await session.close();
  }
}

/**
 * Checks that the stored ONNX model, on raw rows, gives what the trainer's own model gives on the
 * feature matrix (within 1e-5): probabilities and labels (as the model's classes), or predictions.
 */
export async function expectOnnxMatches(
  p: Prepared,
  model: ModelValue,
  own: { predict(features: Float64Array[]): Float64Array; predictProba(features: Float64Array[]): Float64Array },
): Promise<void> {
  const onnx = await runOnnx(p, model);
  if (model.task === 'regression') {
    expect(maxAbsDiff(onnx.scores, own.predict(p.features))).toBeLessThan(1e-5);
    return;
  }
  expect(maxAbsDiff(onnx.scores, own.predictProba(p.features))).toBeLessThan(1e-5);
  const classes = model.classes!;
  const label = (k: number) => (typeof classes[k] === 'number' ? BigInt(classes[k]) : classes[k]);
  expect(onnx.label).toEqual(Array.from(own.predict(p.features), label));
}

/** `ctx` with a signal that aborts at its second progress report; `seen` holds the reports. */
export function abortingAtSecondProgress(ctx: Prepared['ctx']) {
  const controller = new AbortController();
  const seen: unknown[] = [];
  return {
    seen,
    ctx: {
      ...ctx,
      signal: controller.signal,
      progress: (d: Record<string, unknown>) => {
        seen.push(d);
        if (seen.length === 2) controller.abort();
      },
    },
  };
}

/** The largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
