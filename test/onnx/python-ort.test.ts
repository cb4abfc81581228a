import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as onnxruntime from 'onnxruntime-node';
import type { Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';
import { trainGbdt as gbdt, trainLinear as linear, trainMlp as mlp } from '@kiln/nodes';
import { featureFeeds } from '@kiln/nodes/evaluate/feeds';
import { readColumns } from '@kiln/nodes/shared/tabular';
import { CHURN, prepare, type Prepared } from '@kiln/nodes/testing';
import type { ModelValue } from '@kiln/engine';
import { tempDir } from '../support/harness';

// Every TypeScript trainer's exported model.onnx, run on the held-out rows (raw columns, missing
// values included) by onnxruntime-node and by Python's onnxruntime from PyPI: the labels must be equal
// and the probabilities (or regression values) within 1e-5. The Python side lives in a virtualenv
// under .kiln/tools/ort-venv, made on first use from the pinned versions below.
const ORT_REQUIREMENTS = ['onnxruntime==1.32.0', 'numpy==2.4.6'];
const script = join(dirname(fileURLToPath(import.meta.url)), 'ort_predict.py');
const run = promisify(execFile);
let python: string;

beforeAll(async () => {
  python = venvPython(await ensurePythonVenv({ name: 'ort-venv', requirements: ORT_REQUIREMENTS, log: console.log }));
}, 900_000);

type Ort = typeof onnxruntime;
type Output = { dims: number[]; data: (number | string | null)[] };

function plainTensor(t: Tensor): Output {
  return {
    dims: [...t.dims],
    data: Array.from(t.data as ArrayLike<number | bigint | string>, (v) =>
      typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isNaN(v) ? null : v,
    ),
  };
}

/** Runs the model on the test split in both runtimes; returns node's and Python's outputs. */
async function bothRuntimes(ort: Ort, p: Prepared, model: ModelValue) {
  const cols = await readColumns(p.ctx.store, p.test);
  const rows = Array.from({ length: cols.rowCount }, (_, i) => i);
  // The input columns evaluate.model gives the model, as [n, 1] tensors.
  const feeds = Object.fromEntries(
    Object.entries(featureFeeds(model, cols, rows)).map(([name, data]) => [
      name,
      Array.isArray(data) ? new ort.Tensor('string', data, [rows.length, 1]) : new ort.Tensor('float32', data, [rows.length, 1]),
    ]),
  );
  const bytes = await p.ctx.store.get(model.artifact.digest);
  const session = await ort.InferenceSession.create(bytes);
  const node = Object.fromEntries(Object.entries(await session.run(feeds)).map(([k, t]) => [k, plainTensor(t)]));

  const dir = tempDir('kiln-python-ort-');
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const feedJson = Object.fromEntries(
    Object.entries(feeds).map(([name, t]) => [name, { type: t.type, ...plainTensor(t) }]),
  );
  writeFileSync(join(dir, 'feeds.json'), JSON.stringify(feedJson));
  await run(python, [script, dir], { maxBuffer: 64 * 1024 * 1024 });
  const py = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')) as Record<string, Output> & {
    _versions: Record<string, string>;
  };
  return { node, py, rows: rows.length, hasMissing: Object.values(feedJson).some((f) => f.data.some((v) => v === null || v === '')) };
}

function expectSame(node: Record<string, Output>, py: Record<string, Output>, scoreName: string, relative = false) {
  expect(Object.keys(node).sort()).toEqual(Object.keys(py).filter((k) => k !== '_versions').sort());
  for (const [name, ours] of Object.entries(node)) {
    const theirs = py[name]!;
    expect(theirs.dims, name).toEqual(ours.dims);
    if (name !== scoreName) {
      expect(theirs.data, name).toEqual(ours.data);
      continue;
    }
    let worst = 0;
    ours.data.forEach((v, i) => {
      const a = v as number;
      const b = theirs.data[i] as number;
      const diff = Math.abs(a - b) / (relative ? Math.max(1, Math.abs(a)) : 1);
      worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff);
    });
    expect(worst, `${name}: largest difference`).toBeLessThan(1e-5);
  }
}

const trainers = [
  { name: 'train.gbdt', node: gbdt, params: { numIterations: 40, earlyStoppingRounds: 0 } },
  { name: 'train.linear', node: linear, params: { maxIterations: 200 } },
  { name: 'train.mlp', node: mlp, params: { hiddenLayers: [8], epochs: 5, earlyStopping: false, seed: 3 } },
] as const;

const tasks = [
  { task: 'binary', target: 'churned', score: 'probabilities' },
  { task: 'multiclass', target: 'contract', score: 'probabilities' },
  { task: 'regression', target: 'tenure_months', score: 'variable' },
] as const;

describe("Python's onnxruntime predicts what onnxruntime-node does with every trainer's model", () => {
  for (const { task, target, score } of tasks) {
    it(`${task} (churn, target ${target})`, async () => {
      const ort = onnxruntime;
      const p = await prepare(CHURN, target, { drop: ['customer_id'] });
      for (const t of trainers) {
        const trainer = await t.node.load();
        const out = await trainer.run(p.ctx, p.inputs, trainer.params.parse(t.params) as never);
        const model = out.outputs.model as ModelValue;
        expect(model.task, t.name).toBe(task);
        const { node, py, rows, hasMissing } = await bothRuntimes(ort, p, model);
        expect(rows).toBeGreaterThan(100);
        expect(hasMissing, 'the held-out rows include missing values').toBe(true);
        expect(node[score], `${t.name} outputs ${score}`).toBeDefined();
        if (task !== 'regression') expect(node.label, `${t.name} outputs label`).toBeDefined();
        expectSame(node, py, score, task === 'regression');
      }
    });
  }
});
