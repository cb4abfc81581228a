import { describe, expect, it } from 'vitest';
import { makeSynthetic } from './synthetic-data';
import { trainBooster } from './train';

describe('tree-growing worker threads', () => {
  // Enough rows for every parallel step: histograms, partitions (≥ 32,768 rows) and several
  // gradient blocks (65,536 rows each).
  it('train exactly the same model as one thread', async () => {
    const data = makeSynthetic('multiclass', { rows: 140_000, features: 9, seed: 31, missingRate: 0.1 });
    const params = { objective: 'multiclass' as const, numIterations: 4, maxLeaves: 31 };
    const one = await trainBooster(
      { features: data.columns, labels: data.labels },
      { ...params, numThreads: 1 },
    );
    const three = await trainBooster(
      { features: data.columns, labels: data.labels },
      { ...params, numThreads: 3 },
    );
    expect(three.toJSON()).toEqual(one.toJSON());
  });

  it('train the same model with feature and row sampling', async () => {
    const data = makeSynthetic('binary', { rows: 80_000, features: 12, seed: 32 });
    const params = {
      objective: 'binary' as const,
      numIterations: 5,
      featureFraction: 0.6,
      baggingFraction: 0.8,
      seed: 3,
    };
    const one = await trainBooster(
      { features: data.columns, labels: data.labels },
      { ...params, numThreads: 1 },
    );
    const two = await trainBooster(
      { features: data.columns, labels: data.labels },
      { ...params, numThreads: 2 },
    );
    expect(two.toJSON()).toEqual(one.toJSON());
  });

  it('stop their workers when training is aborted', async () => {
    const data = makeSynthetic('binary', { rows: 20_000, features: 6, seed: 33 });
    const controller = new AbortController();
    const run = trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'binary', numIterations: 1000, numThreads: 2 },
      { signal: controller.signal, onProgress: (i) => void (i === 2 && controller.abort()) },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
