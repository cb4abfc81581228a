import { describe, expect, it } from 'vitest';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import { NodeFailure, type NodeContext } from '../define-node';
import ingest from '../ingest/file';
import { getJson, readColumns } from '../shared/tabular';
import { tempFile, testContext } from '../shared/test-context';
import featurize, { splitRows } from './tabular';
import type { TransformSpec } from './transform-spec';

async function dataset(ctx: NodeContext, csv: string, types: Record<string, string> = {}): Promise<DatasetRef> {
  const { outputs } = await ingest.run(ctx, {}, ingest.params.parse({ uri: tempFile('d.csv', csv), types }));
  return outputs.dataset as DatasetRef;
}

function csvRows(n: number, row: (i: number) => string, header: string): string {
  return `${header}\n${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;
}

const failure = async (p: Promise<unknown>): Promise<NodeFailure> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeFailure);
  expect((error as NodeFailure).retryable).toBe(false);
  return error as NodeFailure;
};

describe('featurize.tabular', () => {
  it('splits seeded and stratified, fits on train only, and describes the transform', async () => {
    const ctx = testContext();
    const ds = await dataset(ctx, csvRows(100, (i) => `${i},${i % 7 === 0 ? '' : i * 2},${['a', 'b', 'c'][i % 3]},${i % 4 === 0 ? 1 : 0}`, 'id,x,c,y'));
    const params = featurize.params.parse({ target: 'y', drop: ['id'], testFraction: 0.2, seed: 3 });
    const { outputs } = await featurize.run(ctx, { dataset: ds }, params);
    const train = outputs.train as DatasetRef;
    const test = outputs.test as DatasetRef;
    expect(train.rowCount + test.rowCount).toBe(100);
    expect(test.rowCount).toBe(20);
    const testCols = await readColumns(ctx.store, test);
    expect(testCols.values.y!.filter((v) => v === 1)).toHaveLength(5); // 25 positives × 0.2
    expect(train.schema).toEqual(ds.schema);
    const t = outputs.transform as { artifact: { digest: string; mediaType: string }; task: string };
    expect(t.task).toBe('binary');
    const spec = await getJson<TransformSpec>(ctx.store, t.artifact as never);
    expect(spec.outputFeatures).toEqual(['x', 'c=a', 'c=b', 'c=c']);
    // Fitted on the training rows only: the median of x over train.
    const trainCols = await readColumns(ctx.store, train);
    const xs = trainCols.values.x!.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const mid = (xs.length - 1) / 2;
    expect(spec.features[0]).toMatchObject({ name: 'x', kind: 'numeric', impute: (xs[Math.floor(mid)]! + xs[Math.ceil(mid)]!) / 2 });
    // Same seed, same split.
    const again = await featurize.run(ctx, { dataset: ds }, params);
    expect((again.outputs.test as DatasetRef).artifact.digest).toBe(test.artifact.digest);
  });

  it('refuses a missing target column, naming the columns', async () => {
    const ctx = testContext();
    const ds = await dataset(ctx, 'a,b\n1,2\n3,4\n');
    const e = await failure(featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'label' })));
    expect(e.message).toBe('target column "label" is not in the dataset (columns: a, b)');
  });

  it('refuses an all-null feature column', async () => {
    const ctx = testContext();
    const ds = await dataset(ctx, csvRows(20, (i) => `${i},,${i % 2}`, 'x,empty,y'), { empty: 'float' });
    const e = await failure(featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'y' })));
    expect(e.message).toContain('feature column "empty" has only missing values in the training split');
  });

  it('refuses a stratified split when a class has a single row', async () => {
    const ctx = testContext();
    const ds = await dataset(ctx, csvRows(30, (i) => `${i},${i === 0 ? 'rare' : i % 2 ? 'a' : 'b'}`, 'x,y'));
    const e = await failure(featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'y' })));
    expect(e.message).toContain('class "rare" has 1 row: a stratified split needs at least 2 rows per class');
    const ok = await featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'y', stratify: false }));
    expect((ok.outputs.train as DatasetRef).rowCount).toBe(24);
  });

  it('refuses to one-hot encode a column with 100k distinct values, above the cap', async () => {
    const ctx = testContext();
    const ds = await dataset(ctx, csvRows(100_000, (i) => `u${i},${i % 2}`, 'user,y'));
    const e = await failure(featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'y', maxCategories: 5000 })));
    expect(e.message).toMatch(/categorical column "user" has 80000 distinct values in the training split, above maxCategories \(5000\) for one-hot/);
  });

  it('splits deterministically', () => {
    expect(splitRows(10, 0.3, 1)).toEqual(splitRows(10, 0.3, 1));
    expect(splitRows(10, 0.3, 1).test).toHaveLength(3);
  });
});
