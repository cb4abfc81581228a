import { describe, expect, it } from 'vitest';
import { AbortError, trainBooster } from './index';
import { makeSynthetic } from './synthetic-data';

describe('trainBooster cancellation', () => {
  it('stops within one iteration of an abort raised from the progress callback', async () => {
    const data = makeSynthetic('binary', { rows: 2000, features: 5, seed: 10 });
    const controller = new AbortController();
    const iterations: number[] = [];
    const run = trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'binary', numIterations: 100 },
      {
        signal: controller.signal,
        onProgress: (i) => {
          iterations.push(i);
          if (i === 3) controller.abort(new Error('user cancelled'));
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(run).rejects.toMatchObject({
      name: 'AbortError',
      message: expect.stringContaining('iteration 4'),
    });
    expect(iterations).toEqual([1, 2, 3]);
  });

  it('stops within one iteration of an abort raised by a timer while training runs', async () => {
    const data = makeSynthetic('multiclass', { rows: 20000, features: 10, seed: 11 });
    const controller = new AbortController();
    let abortedAt = 0;
    let lastIteration = 0;
    // The timer is set once training is under way (its first iteration reported), so the abort lands
    // mid-training however slow the machine is.
    const abortSoon = () =>
      setTimeout(() => {
        abortedAt = lastIteration;
        controller.abort();
      }, 20);
    const run = trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'multiclass', numIterations: 10_000 },
      {
        signal: controller.signal,
        onProgress: (i) => {
          lastIteration = i;
          if (i === 1) abortSoon();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(abortedAt).toBeGreaterThan(0);
    expect(lastIteration - abortedAt).toBeLessThanOrEqual(1);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const data = makeSynthetic('binary', { rows: 100, features: 2 });
    const run = trainBooster(
      { features: data.columns, labels: data.labels },
      { objective: 'binary' },
      { signal: AbortSignal.abort() },
    );
    await expect(run).rejects.toBeInstanceOf(AbortError);
  });
});
