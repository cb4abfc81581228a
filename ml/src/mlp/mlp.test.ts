import { describe, expect, it } from 'vitest';
import { makeSynthetic, splitRows } from '../gbdt/synthetic-data';
import { loadReference, takeRows } from '../linear/test-helpers';
import { maxDiff, rocAuc, runOnnx } from '../test-helpers';
import { AbortError, exportMlpToOnnx, ModelInputError, trainMlp } from './index';

const withMissing = (columns: Float64Array[]) =>
  columns.map((c, j) =>
    Float64Array.from([...c, ...c.slice(0, 20)], (v, i) => (i >= c.length && (i + j) % 3 === 0 ? NaN : v)),
  );

describe('trainMlp', () => {
  it('binary: converges on non-linear synthetic data and beats a linear boundary', async () => {
    const data = makeSynthetic('binary', { rows: 4000, features: 6, seed: 31 });
    const [train, test] = splitRows(data, 3000);
    const seen: [number, number, number | undefined][] = [];
    const model = await trainMlp(
      { features: train.columns, labels: train.labels },
      { task: 'binary', hiddenLayers: [32, 16], batchSize: 64, maxEpochs: 100, seed: 1 },
      { onProgress: (e, loss, val) => void seen.push([e, loss, val]) },
    );
    expect(seen.length).toBe(model.history.length);
    expect(seen.every(([, , v]) => v !== undefined)).toBe(true);
    expect(seen[seen.length - 1]![1]).toBeLessThan(seen[0]![1]);
    // The kept parameters are those of the epoch with the lowest validation loss.
    const valid = model.history.map((h) => h.validMetric!);
    expect(model.bestEpoch).toBe(valid.indexOf(Math.min(...valid)) + 1);
    expect(model.bestEpoch).toBeGreaterThan(1);
    const p = model.predictProba(test.columns).filter((_, k) => k % 2 === 1);
    expect(rocAuc(test.labels, p)).toBeGreaterThan(0.9);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const data = makeSynthetic('multiclass', { rows: 600, features: 5, seed: 32 });
    const params = { task: 'multiclass' as const, hiddenLayers: [8], maxEpochs: 5, dropout: 0.2, seed: 3 };
    const a = await trainMlp({ features: data.columns, labels: data.labels }, params);
    const b = await trainMlp({ features: data.columns, labels: data.labels }, params);
    const c = await trainMlp({ features: data.columns, labels: data.labels }, { ...params, seed: 4 });
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.layers[0]!.weights).not.toEqual(c.layers[0]!.weights);
  });

  it('held-out ROC-AUC on breast cancer is within 0.02 of scikit-learn MLPClassifier with the same settings', async () => {
    const ref = loadReference('breast_cancer');
    const s = ref.settings.mlp as {
      hidden_layer_sizes: number[];
      activation: 'relu';
      alpha: number;
      batch_size: number;
      learning_rate_init: number;
      max_iter: number;
      early_stopping: boolean;
      n_iter_no_change: number;
      tol: number;
    };
    const train = takeRows(ref, ref.trainRows);
    const test = takeRows(ref, ref.testRows);
    const model = await trainMlp(
      { features: train.columns, labels: train.labels },
      {
        task: 'binary',
        hiddenLayers: s.hidden_layer_sizes,
        activation: s.activation,
        l2: s.alpha,
        batchSize: s.batch_size,
        learningRate: s.learning_rate_init,
        maxEpochs: s.max_iter,
        earlyStopping: s.early_stopping,
        patience: s.n_iter_no_change,
        tol: s.tol,
        seed: 0,
      },
    );
    const ours = rocAuc(
      test.labels,
      model.predictProba(test.columns).filter((_, k) => k % 2 === 1),
    );
    const theirs = (ref.sklearn.mlp as { roc_auc: number }).roc_auc;
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(0.02);
  });

  it('regression: fits a non-linear target better than its mean', async () => {
    const data = makeSynthetic('regression', { rows: 3000, features: 5, seed: 33 });
    data.labels.forEach((v, i) => (data.labels[i] = 100 + 20 * v));
    const [train, test] = splitRows(data, 2500);
    const model = await trainMlp(
      { features: train.columns, labels: train.labels },
      { task: 'regression', hiddenLayers: [32], activation: 'tanh', batchSize: 32, maxEpochs: 60 },
    );
    const pred = model.predict(test.columns);
    const mean = test.labels.reduce((a, b) => a + b, 0) / test.labels.length;
    const sse = pred.reduce((a, p, i) => a + (p - test.labels[i]!) ** 2, 0);
    const sst = test.labels.reduce((a, y) => a + (y - mean) ** 2, 0);
    expect(1 - sse / sst).toBeGreaterThan(0.6);
  });
});

describe('ONNX export of MLPs', () => {
  it('binary (relu): onnxruntime probabilities within 1e-5 and the same labels, NaN rows included', async () => {
    const data = makeSynthetic('binary', { rows: 2000, features: 6, seed: 34, missingRate: 0.1 });
    const [train, test] = splitRows(data, 1500);
    const model = await trainMlp(
      { features: train.columns, labels: train.labels },
      { task: 'binary', hiddenLayers: [16, 8], maxEpochs: 20 },
    );
    const rows = withMissing(test.columns);
    const out = await runOnnx(exportMlpToOnnx(model), rows);
    expect(out.probabilities!.dims).toEqual([rows[0]!.length, 2]);
    expect(maxDiff(out.probabilities!.data as Float32Array, model.predictProba(rows))).toBeLessThan(1e-5);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(model.predict(rows)));
  });

  it('multiclass (tanh): probabilities and labels match', async () => {
    const data = makeSynthetic('multiclass', { rows: 2000, features: 7, seed: 35 });
    const [train, test] = splitRows(data, 1500);
    const model = await trainMlp(
      { features: train.columns, labels: train.labels },
      { task: 'multiclass', hiddenLayers: [16], activation: 'tanh', maxEpochs: 20, dropout: 0.1 },
    );
    const rows = withMissing(test.columns);
    const out = await runOnnx(exportMlpToOnnx(model), rows);
    expect(out.probabilities!.dims).toEqual([rows[0]!.length, 3]);
    expect(maxDiff(out.probabilities!.data as Float32Array, model.predictProba(rows))).toBeLessThan(1e-5);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(model.predict(rows)));
  });

  it('regression: the same predictions (relative 1e-5)', async () => {
    const data = makeSynthetic('regression', { rows: 1500, features: 4, seed: 36 });
    data.labels.forEach((v, i) => (data.labels[i] = 50 + 10 * v));
    const model = await trainMlp(
      { features: data.columns, labels: data.labels },
      { task: 'regression', hiddenLayers: [16, 16], maxEpochs: 10 },
    );
    const rows = withMissing(data.columns.map((c) => c.slice(0, 300)));
    const out = await runOnnx(exportMlpToOnnx(model), rows);
    expect(out.variable!.dims).toEqual([rows[0]!.length, 1]);
    const expected = model.predict(rows);
    const rel = maxDiff(out.variable!.data as Float32Array, expected) / Math.max(...expected.map(Math.abs));
    expect(rel).toBeLessThan(1e-5);
  });
});

describe('trainMlp: abort and bad input', () => {
  it('stops within one epoch of an abort raised from the progress callback', async () => {
    const data = makeSynthetic('binary', { rows: 1000, features: 4, seed: 37 });
    const controller = new AbortController();
    const seen: number[] = [];
    const run = trainMlp(
      { features: data.columns, labels: data.labels },
      { task: 'binary', hiddenLayers: [8], maxEpochs: 100, earlyStopping: false, tol: 0 },
      {
        signal: controller.signal,
        onProgress: (e) => {
          seen.push(e);
          if (e === 3) controller.abort(new Error('user cancelled'));
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(run).rejects.toMatchObject({ message: expect.stringContaining('epoch 4') });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops within one epoch of an abort raised by a timer', async () => {
    const data = makeSynthetic('multiclass', { rows: 20000, features: 10, seed: 38 });
    const controller = new AbortController();
    let abortedAt = 0;
    let last = 0;
    setTimeout(() => {
      abortedAt = last;
      controller.abort();
    }, 150);
    const run = trainMlp(
      { features: data.columns, labels: data.labels },
      {
        task: 'multiclass',
        hiddenLayers: [32],
        maxEpochs: 10_000,
        earlyStopping: false,
        tol: 0,
        patience: 10_000,
      },
      { signal: controller.signal, onProgress: (e) => void (last = e) },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(last - abortedAt).toBeLessThanOrEqual(1);
  });

  it('says what is wrong and where', async () => {
    const data = makeSynthetic('binary', { rows: 50, features: 3, seed: 39 });
    const train = { features: data.columns, labels: data.labels };
    const bad = async (promise: Promise<unknown>, message: RegExp) => {
      await expect(promise).rejects.toBeInstanceOf(ModelInputError);
      await expect(promise).rejects.toThrow(message);
    };
    await bad(
      trainMlp(train, { task: 'binary', hiddenLayers: [8, 0] }),
      /parameter hiddenLayers\[1\] must be an integer >= 1/,
    );
    await bad(trainMlp(train, { task: 'binary', dropout: 1 }), /parameter dropout must be in \[0, 1\)/);
    await bad(
      trainMlp(train, { task: 'ranking' as 'binary' }),
      /task must be one of binary, multiclass, regression/,
    );
    await bad(
      trainMlp(
        { features: data.columns, labels: data.labels.map((v, i) => (i === 4 ? 0.5 : v)) },
        { task: 'binary' },
      ),
      /label at row 4 is 0.5/,
    );
    await bad(
      trainMlp(
        train,
        { task: 'binary' },
        { valid: { features: data.columns.slice(1), labels: data.labels } },
      ),
      /validation features: 2 columns, but the training data has 3/,
    );
    await bad(
      trainMlp(
        { features: data.columns.map((c) => c.slice(0, 5)), labels: data.labels.slice(0, 5) },
        { task: 'binary' },
      ),
      /too few to hold out/,
    );
    await expect(trainMlp(train, { task: 'binary' }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortError,
    );
  });
});
