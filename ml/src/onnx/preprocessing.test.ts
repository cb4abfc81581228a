import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { trainBooster } from '../gbdt/train';
import { Rng } from '../gbdt/random';
import { type Cell, cellNumber, cellText, columnDataFromCells } from '../preprocess/column-data';
import { applyTransform, fitFeature, outputNames, type Encoding, type TransformColumns, type TransformSpec, TransformError } from '../preprocess/transform';
import { pipelineToOnnx } from './preprocessing';

const TYPES = { a: 'float', b: 'string', c: 'int', y: 'int' } as const;

function table(n: number): Record<keyof typeof TYPES, Cell[]> {
  const r = new Rng(3);
  const t = { a: [] as Cell[], b: [] as Cell[], c: [] as Cell[], y: [] as Cell[] };
  for (let i = 0; i < n; i++) {
    const x = r.next() * 10;
    const cat = ['red', 'green', 'blue'][Math.floor(r.next() * 3)]!;
    t.a.push(r.next() < 0.1 ? null : x);
    t.b.push(r.next() < 0.1 ? null : cat);
    t.c.push(Math.floor(r.next() * 5));
    t.y.push(x + (cat === 'red' ? 3 : 0) + r.next() * 2 > 7 ? 1 : 0);
  }
  return t;
}

const columnsOf = (cells: Record<string, Cell[]>): TransformColumns => ({
  types: TYPES,
  data: (name) => (cells[name] ? columnDataFromCells(cells[name], TYPES[name as keyof typeof TYPES]) : undefined),
});

describe('the ONNX pipeline (preprocessing in the graph + trees)', () => {
  for (const encoding of ['onehot', 'ordinal'] as Encoding[]) {
    it(`gives the booster's probabilities on raw rows (${encoding}, missing values, an unknown category)`, async () => {
      const cells = table(600);
      const rows = Array.from({ length: 600 }, (_, i) => i);
      const opts = { impute: 'mean' as const, imputeConstant: 0, imputeConstantText: 'missing', scale: 'robust' as const, encoding, maxCategories: 100 };
      const features = ['a', 'b', 'c'].map((n) => fitFeature(columnsOf(cells), n, rows, opts));
      const spec: TransformSpec = { kind: 'kiln.transform/v1', target: 'y', task: 'binary', classes: [0, 1], features, outputFeatures: features.flatMap(outputNames) };
      const booster = await trainBooster({ features: applyTransform(spec, columnsOf(cells), rows), labels: cells.y as number[] }, { objective: 'binary', numIterations: 30 });
      cells.b[5] = 'purple';
      const expected = booster.predictProba(applyTransform(spec, columnsOf(cells), rows));
      const session = await ort.InferenceSession.create(pipelineToOnnx(spec, booster));
      expect([...session.inputNames]).toEqual(['a', 'b', 'c']);
      const out = await session.run({
        a: new ort.Tensor('float32', Float32Array.from(cells.a, cellNumber), [rows.length, 1]),
        b: new ort.Tensor('string', cells.b.map(cellText), [rows.length, 1]),
        c: new ort.Tensor('float32', Float32Array.from(cells.c, cellNumber), [rows.length, 1]),
      });
      const proba = out.probabilities!.data as Float32Array;
      for (let i = 0; i < expected.length; i++) expect(proba[i]).toBeCloseTo(expected[i]!, 5);
    });
  }
});

describe('raw column names', () => {
  it('refuses a feature named like a model output', () => {
    const spec: TransformSpec = {
      kind: 'kiln.transform/v1',
      target: 'y',
      task: 'regression',
      classes: null,
      features: [{ name: 'label', kind: 'numeric', impute: 0, offset: 0, scale: 1 }],
      outputFeatures: ['label'],
    };
    const booster = { objective: 'regression', numClasses: 1, numFeatures: 1, initScores: [0], trees: [], bestIteration: 0, history: [] } as const;
    expect(() => pipelineToOnnx(spec, booster)).toThrow(TransformError);
    expect(() => pipelineToOnnx(spec, booster)).toThrow('feature column "label" has a name the ONNX model uses');
  });
});
