import { type ModelValue } from '@kiln/engine';
import { describe, expect, it } from 'vitest';
import { trainMlp } from '@kiln/ml/mlp';
import mlp from './mlp';
import { abortingAtSecondProgress, churn, expectOnnxMatches, lineData, threeBands } from './test-helpers';

describe('train.mlp', () => {
  it('on churn: the ONNX model on raw rows gives the trainer’s probabilities (1e-5), progress per epoch', async () => {
    const p = await churn();
    const before = p.ctx.progressLog.length;
    const params = {
      hiddenLayers: [16, 8],
      activation: 'tanh' as const,
      learningRate: 0.01,
      batchSize: 64,
      epochs: 15,
      seed: 7,
    };
    const t = await mlp.run(p.ctx, p.inputs, mlp.params.parse(params));
    const model = t.outputs.model as ModelValue;
    expect(model).toMatchObject({ task: 'binary', classes: [0, 1], target: 'churned' });
    const progress = p.ctx.progressLog.slice(before);
    const metrics = t.outputs.metrics as { values: Record<string, number | null> };
    expect(progress).toHaveLength(metrics.values.epochs_run!);
    expect(progress[0]).toMatchObject({ epoch: 1, metricName: 'logloss', of: 15 });
    const own = await trainMlp(
      { features: p.features, labels: p.labels },
      {
        task: 'binary',
        hiddenLayers: [16, 8],
        activation: 'tanh',
        learningRate: 0.01,
        batchSize: 64,
        maxEpochs: 15,
        seed: 7,
      },
    );
    expect(own.bestEpoch).toBe(metrics.values.best_epoch);
    await expectOnnxMatches(p, model, own);
  });

  it('multiclass with string classes and regression match their ONNX models', async () => {
    const multi = await threeBands(300);
    const mt = await mlp.run(
      multi.ctx,
      multi.inputs,
      mlp.params.parse({ hiddenLayers: [8], epochs: 5, earlyStopping: false }),
    );
    const own = await trainMlp(
      { features: multi.features, labels: multi.labels },
      { task: 'multiclass', numClasses: 3, hiddenLayers: [8], maxEpochs: 5, earlyStopping: false },
    );
    await expectOnnxMatches(multi, mt.outputs.model as ModelValue, own);

    const reg = await lineData();
    const rt = await mlp.run(reg.ctx, reg.inputs, mlp.params.parse({ hiddenLayers: [8], epochs: 5 }));
    const rown = await trainMlp(
      { features: reg.features, labels: reg.labels },
      { task: 'regression', hiddenLayers: [8], maxEpochs: 5 },
    );
    await expectOnnxMatches(reg, rt.outputs.model as ModelValue, rown);
  });

  it('stops within an epoch of an abort', async () => {
    const p = await churn();
    const { ctx, seen } = abortingAtSecondProgress(p.ctx);
    await expect(
      mlp.run(ctx, p.inputs, mlp.params.parse({ hiddenLayers: [4], epochs: 1000, earlyStopping: false })),
    ).rejects.toThrow();
    expect(seen.length).toBeLessThanOrEqual(3);
  });
});
