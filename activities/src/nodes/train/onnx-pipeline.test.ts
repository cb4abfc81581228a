import { describe, expect, it } from 'vitest';
import { trainBooster } from '../../ml/gbdt/train';
import { applyTransform, fitFeature, outputNames, type Encoding, type TransformSpec } from '../featurize/transform-spec';
import { feedsFor, loadOrt } from '../evaluate/onnx-runner';
import { rng, type Cell, type Columns } from '../shared/tabular';
import { pipelineToOnnx } from './onnx-pipeline';

function table(n: number): Columns {
  const r = rng(3);
  const a: Cell[] = [];
  const b: Cell[] = [];
  const c: Cell[] = [];
  const y: Cell[] = [];
  for (let i = 0; i < n; i++) {
    const x = r() * 10;
    const cat = ['red', 'green', 'blue'][Math.floor(r() * 3)]!;
    a.push(r() < 0.1 ? null : x);
    b.push(r() < 0.1 ? null : cat);
    c.push(Math.floor(r() * 5));
    y.push(x + (cat === 'red' ? 3 : 0) + r() * 2 > 7 ? 1 : 0);
  }
  return { names: ['a', 'b', 'c', 'y'], types: { a: 'float', b: 'string', c: 'int', y: 'int' }, values: { a, b, c, y }, rowCount: n };
}

describe('the ONNX pipeline (preprocessing in the graph + trees)', () => {
  for (const encoding of ['onehot', 'ordinal'] as Encoding[]) {
    it(`gives the booster's probabilities on raw rows (${encoding}, missing values, an unknown category)`, async () => {
      const cols = table(600);
      const rows = Array.from({ length: 600 }, (_, i) => i);
      const opts = { impute: 'mean' as const, imputeConstant: 0, imputeConstantText: 'missing', scale: 'robust' as const, encoding, maxCategories: 100 };
      const features = ['a', 'b', 'c'].map((n) => fitFeature(cols, n, rows, opts));
      const spec: TransformSpec = { kind: 'kiln.transform/v1', target: 'y', task: 'binary', classes: [0, 1], features, outputFeatures: features.flatMap(outputNames) };
      const booster = await trainBooster({ features: applyTransform(spec, cols, rows), labels: cols.values.y as number[] }, { objective: 'binary', numIterations: 30 });
      cols.values.b![5] = 'purple';
      const expected = booster.predictProba(applyTransform(spec, cols, rows));
      const ort = await loadOrt();
      const session = await ort.InferenceSession.create(pipelineToOnnx(spec, booster));
      expect([...session.inputNames]).toEqual(['a', 'b', 'c']);
      const out = await session.run(feedsFor(ort, { features: [{ name: 'a', type: 'float' }, { name: 'b', type: 'string' }, { name: 'c', type: 'float' }] }, cols, rows));
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
    expect(() => pipelineToOnnx(spec, booster)).toThrow('feature column "label" has a name the ONNX model uses');
  });
});
