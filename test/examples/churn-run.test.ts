// The churn example end to end through `kiln run --json`, on this test run's Temporal with in-process
// workers, then the model it produced checked in onnxruntime against what evaluate.model reported.
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readDataset, type DatasetRef } from '@kiln/tabular';
import { FolderArtifactStore } from '@kiln/artifacts';
import { type Harness, openHarness, tempDir } from '../support/harness';
import { kiln } from '../support/kiln-process';

const DIR = resolve(import.meta.dirname, '../../examples/churn');
const artifacts = tempDir('kiln-churn-artifacts-');
let h: Harness;

beforeAll(async () => {
  // The in-process workers and the CLI use the same artifact folder.
  h = await openHarness({ artifactsDir: artifacts });
});
afterAll(() => h.close());

it('runs ingest → validate → featurize → train → evaluate → gate, and the ONNX model agrees with the evaluation', async () => {
  const result = await kiln(
    ['run', resolve(DIR, 'churn.json'), '--json', '--temporal-address', h.address, '--param', `data=${resolve(DIR, 'churn.csv')}`],
    { env: { KILN_ARTIFACTS: artifacts, KILN_HOME: tempDir() } },
  );
  expect(result.code, result.stderr + result.stdout).toBe(0);
  const summary = JSON.parse(result.stdout);
  expect(summary).toMatchObject({ pipeline: 'churn', status: 'succeeded' });
  const ids = ['ingest', 'validate', 'featurize', 'train', 'evaluate', 'gate'];
  expect(Object.keys(summary.nodes)).toEqual(ids);
  for (const id of ids) expect(summary.nodes[id].status, id).toBe('succeeded');

  const out = (id: string) => summary.nodes[id].outputs;
  const metrics = out('evaluate').metrics;
  expect(metrics.task).toBe('binary');
  expect(metrics.values.roc_auc).toBeGreaterThan(0.75);
  expect(metrics.values.roc_auc).toBeLessThan(0.99);
  expect(metrics.values.batch1_ms_per_row).toBeGreaterThan(0);
  expect(metrics.values.batch256_ms_per_row).toBeGreaterThan(0);
  expect(out('gate').decision.passed).toBe(true);
  const model = out('train').model;
  expect(model).toMatchObject({ task: 'binary', target: 'churned', classes: [0, 1] });
  expect(model.artifact.mediaType).toBe('application/onnx');
  expect(metrics.values.model_bytes).toBe(model.artifact.size);

  const store = new FolderArtifactStore(artifacts);
  const refs = [
    out('ingest').dataset.artifact,
    out('validate').report.artifact,
    out('featurize').train.artifact,
    out('featurize').test.artifact,
    out('featurize').transform.artifact,
    model.artifact,
    out('train').metrics.report,
    metrics.report,
    out('evaluate').report.artifact,
  ];
  for (const ref of refs) expect(await store.has(ref.digest), ref.digest).toBe(true);

  // Score the raw test rows in onnxruntime ourselves: one [N,1] tensor per raw column.
  const test: DatasetRef = out('featurize').test;
  const table = await readDataset(store, test);
  const n = table.numRows;
  const feeds: Record<string, ort.Tensor> = {};
  for (const f of model.features as { name: string; type: 'float' | 'string' }[]) {
    const col = table.getChild(f.name)!;
    const cell = (i: number) => col.get(i) as unknown;
    feeds[f.name] =
      f.type === 'float'
        ? new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => (cell(i) === null ? NaN : Number(cell(i)))), [n, 1])
        : new ort.Tensor('string', Array.from({ length: n }, (_, i) => (cell(i) === null ? '' : String(cell(i)))), [n, 1]);
  }
  // One intra-op thread, as the serving host evaluate.model scores through runs it: float sums in the
  // same order, so the same bits on any machine.
  const session = await ort.InferenceSession.create(await store.get(model.artifact.digest), { intraOpNumThreads: 1 });
  const scored = await session.run(feeds);
  await session.release();
  const report = JSON.parse(new TextDecoder().decode(await store.get(metrics.report.digest)));
  expect(report.predictions.predicted).toEqual(Array.from(scored.label!.data as BigInt64Array, Number));
  expect(report.predictions.proba).toEqual(Array.from(scored.probabilities!.data as Float32Array));
  expect(report.report.n).toBe(n);
});
