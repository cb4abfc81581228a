import { type ModelValue } from '@kiln/engine';
import { describe, expect, it } from 'vitest';
import { trainLogistic, trainRidge } from '@kiln/ml/linear';
import evaluate from '../evaluate/model';
import linear from './linear';
import { abortingAtSecondProgress, churn, csv, expectOnnxMatches, lineData, prepare, threeBands } from './test-helpers';

describe('train.linear', () => {
  it('on churn: the ONNX model on raw rows gives the trainer’s probabilities (1e-5)', async () => {
    const p = await churn();
    const before = p.ctx.progressLog.length;
    const t = await linear.run(p.ctx, p.inputs, linear.params.parse({ C: 0.5 }));
    const model = t.outputs.model as ModelValue;
    expect(model).toMatchObject({ task: 'binary', classes: [0, 1], target: 'churned' });
    expect(p.ctx.progressLog.length).toBeGreaterThan(before);
    expect(p.ctx.progressLog[before]).toMatchObject({ iteration: 1, metricName: 'logloss' });
    const own = await trainLogistic({ features: p.features, labels: p.labels }, { task: 'binary', l2: 2 });
    await expectOnnxMatches(p, model, own);
    const metrics = t.outputs.metrics as { task: string; values: Record<string, number | null> };
    expect(metrics.task).toBe('binary');
    expect(metrics.values.train_rows).toBe(p.rows.length);
    const e = await evaluate.run(
      p.ctx,
      { model, dataset: p.test },
      evaluate.params.parse({ latencyRows: 0 }),
    );
    expect((e.outputs.metrics as any).values.roc_auc).toBeGreaterThan(0.75);
  });

  it('softmax with string classes, and ridge regression, match their ONNX models', async () => {
    const multi = await threeBands(400);
    const mt = await linear.run(multi.ctx, multi.inputs, linear.params.parse({ maxIterations: 200 }));
    const mm = mt.outputs.model as ModelValue;
    expect(mm).toMatchObject({ task: 'multiclass', classes: ['high', 'low', 'mid'] });
    const own = await trainLogistic(
      { features: multi.features, labels: multi.labels },
      { task: 'multiclass', numClasses: 3, l2: 1, maxIterations: 200 },
    );
    await expectOnnxMatches(multi, mm, own);

    const reg = await lineData();
    const rt = await linear.run(reg.ctx, reg.inputs, linear.params.parse({ alpha: 0.1 }));
    const rm = rt.outputs.model as ModelValue;
    expect(rm).toMatchObject({ task: 'regression', classes: null });
    await expectOnnxMatches(reg, rm, await trainRidge({ features: reg.features, labels: reg.labels }, { l2: 0.1 }));
  });

  it('stops when the signal aborts', async () => {
    const p = await prepare(
      csv(
        'a,b,c,y',
        300,
        (i) => `${i % 7},${(i * 3) % 11},${['p', 'q', 'r'][i % 3]},${['u', 'v', 'w'][(i * 5) % 3]}`,
      ),
      'y',
    );
    const { ctx, seen } = abortingAtSecondProgress(p.ctx);
    await expect(
      linear.run(ctx, p.inputs, linear.params.parse({ C: 1000, maxIterations: 10_000 })),
    ).rejects.toThrow();
    expect(seen.length).toBeLessThan(5);
  });
});
