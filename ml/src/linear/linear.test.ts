import { describe, expect, it } from 'vitest';
import { makeSynthetic, splitRows } from '../gbdt/synthetic-data';
import { AbortError, exportLinearToOnnx, ModelInputError, trainLogistic, trainRidge } from './index';
import type { Task } from '../task';
import { loadReference, takeRows } from './test-helpers';
import { maxDiff, rocAuc, runOnnx } from '../test-helpers';

/** Gaussian features with a linear signal: labels from a logistic / softmax / linear model. */
function linearData(task: Task, rows: number, d: number, seed: number) {
  const data = makeSynthetic('regression', { rows, features: d, seed });
  const cols = data.columns;
  const labels = new Float64Array(rows);
  let state = seed * 7919 + 1;
  const u = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < rows; i++) {
    const s = cols.reduce((acc, c, j) => acc + (j % 3 === 0 ? 1 : -0.5) * c[i]!, 0.3);
    if (task === 'binary') labels[i] = u() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
    else if (task === 'regression') labels[i] = 3 * s + 10 + (u() - 0.5);
    else labels[i] = s + (u() - 0.5) * 2 > 0.5 ? 2 : s > -0.5 ? 1 : 0;
  }
  // Different scales and offsets per column: the solver standardises internally.
  cols.forEach((c, j) => c.forEach((v, i) => (c[i] = v * 10 ** ((j % 4) - 1) + j)));
  return { columns: cols, labels };
}

/** Gradient of Σ loss + λ/2‖w‖² on raw features, per row: zero at the optimum. */
function logisticGradient(
  columns: Float64Array[],
  labels: Float64Array,
  coef: readonly number[],
  b: number,
  l2: number,
) {
  const n = labels.length;
  const g = new Float64Array(columns.length + 1);
  for (let i = 0; i < n; i++) {
    const s = columns.reduce((acc, c, j) => acc + c[i]! * coef[j]!, b);
    const r = 1 / (1 + Math.exp(-s)) - labels[i]!;
    columns.forEach((c, j) => (g[j]! += r * c[i]!));
    g[columns.length]! += r;
  }
  coef.forEach((w, j) => (g[j]! += l2 * w));
  return g.map((v) => v / n);
}

describe('trainLogistic', () => {
  it('binary: Newton converges to a stationary point of the penalised loss', async () => {
    const { columns, labels } = linearData('binary', 4000, 6, 1);
    const losses: number[] = [];
    const model = await trainLogistic(
      { features: columns, labels },
      { task: 'binary', l2: 2 },
      { onProgress: (_i, loss) => void losses.push(loss) },
    );
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThan(15);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThanOrEqual(losses[i - 1]! + 1e-15);
    const g = logisticGradient(columns, labels, model.coef, model.intercept[0]!, 2);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-9);
  });

  it('binary: matches scikit-learn LogisticRegression(C=1) coefficients on breast cancer to 1e-4', async () => {
    const ref = loadReference('breast_cancer');
    const train = takeRows(ref, ref.trainRows);
    const test = takeRows(ref, ref.testRows);
    const C = ref.settings.logistic!.C as number;
    const model = await trainLogistic(
      { features: train.columns, labels: train.labels },
      { task: 'binary', l2: 1 / C },
    );
    const sk = ref.sklearn.logistic as { coef: number[]; intercept: number; roc_auc: number };
    expect(model.converged).toBe(true);
    expect(maxDiff(model.coef, sk.coef)).toBeLessThan(1e-4);
    expect(Math.abs(model.intercept[0]! - sk.intercept)).toBeLessThan(1e-4);
    const proba = model.predictProba(test.columns).filter((_, k) => k % 2 === 1);
    expect(rocAuc(test.labels, proba)).toBeCloseTo(sk.roc_auc, 6);
  });

  it('multiclass: matches scikit-learn multinomial LogisticRegression(C=1) on wine to 1e-4', async () => {
    const ref = loadReference('wine');
    const train = takeRows(ref, ref.trainRows);
    const model = await trainLogistic(
      { features: train.columns, labels: train.labels },
      { task: 'multiclass', l2: 1 / (ref.settings.logistic!.C as number) },
    );
    const sk = ref.sklearn.softmax as { coef: number[][]; intercept: number[] };
    expect(model.converged).toBe(true);
    expect(maxDiff(model.coef, sk.coef.flat())).toBeLessThan(1e-4);
    // Intercepts are only defined up to a shared constant; ours sum to zero.
    const mean = sk.intercept.reduce((a, b) => a + b, 0) / sk.intercept.length;
    expect(
      maxDiff(
        model.intercept,
        sk.intercept.map((b) => b - mean),
      ),
    ).toBeLessThan(1e-4);
  });

  it('multiclass: L-BFGS converges on synthetic data and beats chance', async () => {
    const { columns, labels } = linearData('multiclass', 3000, 5, 2);
    const model = await trainLogistic({ features: columns, labels }, { task: 'multiclass', l2: 0.5 });
    expect(model.converged).toBe(true);
    expect(model.numClasses).toBe(3);
    const pred = model.predict(columns);
    const acc = pred.filter((p, i) => p === labels[i]).length / labels.length;
    expect(acc).toBeGreaterThan(0.7);
  });

  it('is deterministic', async () => {
    const { columns, labels } = linearData('multiclass', 500, 4, 3);
    const a = await trainLogistic({ features: columns, labels }, { task: 'multiclass' });
    const b = await trainLogistic({ features: columns, labels }, { task: 'multiclass' });
    expect(a.toJSON()).toEqual(b.toJSON());
  });
});

describe('trainRidge', () => {
  it('solves the normal equations (zero gradient) and recovers the signal', async () => {
    const { columns, labels } = linearData('regression', 2000, 5, 4);
    const l2 = 0.01;
    const model = await trainRidge({ features: columns, labels }, { l2 });
    const pred = model.predict(columns);
    const g = new Float64Array(columns.length + 1);
    pred.forEach((p, i) => {
      const r = p - labels[i]!;
      columns.forEach((c, j) => (g[j]! += r * c[i]!));
      g[columns.length]! += r;
    });
    model.coef.forEach((w, j) => (g[j]! += l2 * w));
    expect(Math.max(...g.map((v) => Math.abs(v / labels.length)))).toBeLessThan(1e-8);
    const rmse = Math.sqrt(pred.reduce((a, p, i) => a + (p - labels[i]!) ** 2, 0) / labels.length);
    expect(rmse).toBeLessThan(0.35);
  });
});

describe('ONNX export of linear models', () => {
  const withMissing = (columns: Float64Array[]) =>
    columns.map((c, j) =>
      Float64Array.from([...c, ...c.slice(0, 20)], (v, i) => (i >= c.length && (i + j) % 3 === 0 ? NaN : v)),
    );

  it('binary: onnxruntime gives the same probabilities (1e-5) and labels, NaN rows included', async () => {
    const ref = loadReference('breast_cancer');
    const train = takeRows(ref, ref.trainRows);
    const test = takeRows(ref, ref.testRows);
    const model = await trainLogistic({ features: train.columns, labels: train.labels }, { task: 'binary' });
    const rows = withMissing(test.columns);
    const out = await runOnnx(exportLinearToOnnx(model), rows);
    expect(out.probabilities!.dims).toEqual([rows[0]!.length, 2]);
    expect(maxDiff(out.probabilities!.data as Float32Array, model.predictProba(rows))).toBeLessThan(1e-5);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(model.predict(rows)));
  });

  it('multiclass: probabilities and labels match', async () => {
    const { columns, labels } = linearData('multiclass', 2000, 6, 5);
    const [train, test] = splitRows({ columns, labels }, 1500);
    const model = await trainLogistic(
      { features: train.columns, labels: train.labels },
      { task: 'multiclass' },
    );
    const rows = withMissing(test.columns);
    const out = await runOnnx(exportLinearToOnnx(model), rows);
    expect(out.probabilities!.dims).toEqual([rows[0]!.length, 3]);
    expect(maxDiff(out.probabilities!.data as Float32Array, model.predictProba(rows))).toBeLessThan(1e-5);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(model.predict(rows)));
  });

  it('ridge: LinearRegressor gives the same predictions', async () => {
    const { columns, labels } = linearData('regression', 1000, 4, 6);
    const model = await trainRidge({ features: columns, labels });
    const rows = withMissing(columns.map((c) => c.slice(0, 200)));
    const out = await runOnnx(exportLinearToOnnx(model), rows);
    expect(out.variable!.dims).toEqual([rows[0]!.length, 1]);
    const expected = model.predict(rows);
    const rel = maxDiff(out.variable!.data as Float32Array, expected) / Math.max(...expected.map(Math.abs));
    expect(rel).toBeLessThan(1e-5);
  });
});

describe('linear trainers: abort and bad input', () => {
  it('stops within one iteration of an abort raised from the progress callback', async () => {
    const { columns, labels } = linearData('multiclass', 2000, 5, 7);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = trainLogistic(
      { features: columns, labels },
      { task: 'multiclass', l2: 1e-6 },
      {
        signal: controller.signal,
        onProgress: (i) => {
          seen.push(i);
          if (i === 3) controller.abort(new Error('user cancelled'));
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(run).rejects.toMatchObject({ message: expect.stringContaining('iteration 4') });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { columns, labels } = linearData('binary', 100, 2, 8);
    await expect(
      trainLogistic({ features: columns, labels }, { task: 'binary' }, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortError);
    await expect(
      trainRidge({ features: columns, labels }, {}, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortError);
  });

  it('says what is wrong and where', async () => {
    const { columns, labels } = linearData('binary', 50, 3, 9);
    const bad = async (promise: Promise<unknown>, message: RegExp) => {
      await expect(promise).rejects.toBeInstanceOf(ModelInputError);
      await expect(promise).rejects.toThrow(message);
    };
    await bad(
      trainLogistic({ features: columns, labels: labels.slice(1) }, { task: 'binary' }),
      /49 labels for 50 rows/,
    );
    await bad(
      trainLogistic(
        { features: columns, labels: labels.map((v, i) => (i === 7 ? 2 : v)) },
        { task: 'binary' },
      ),
      /label at row 7 is 2; binary labels must be 0 or 1/,
    );
    const inf = columns.map((c) => c.slice());
    inf[2]![11] = Infinity;
    await bad(trainRidge({ features: inf, labels }), /row 11, column 2 is Infinity/);
    await bad(
      trainLogistic({ features: [columns[0]!, columns[1]!.slice(1)], labels }, { task: 'binary' }),
      /column 1 has 49 rows/,
    );
    await bad(
      trainLogistic({ features: columns, labels }, { task: 'binary', l2: -1 }),
      /parameter l2 must be a finite number >= 0/,
    );
    await bad(
      trainLogistic({ features: columns, labels: labels.map(() => 1) }, { task: 'binary' }),
      /every row has class 1/,
    );
    await bad(
      trainLogistic({ features: columns, labels }, { task: 'regression' as 'binary' }),
      /use trainRidge/,
    );
    const model = await trainRidge({ features: columns, labels });
    expect(() => model.predict(columns.slice(1))).toThrow(/2 columns, but the model was trained on 3/);
  });
});
