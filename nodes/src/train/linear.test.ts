import { type ModelValue } from '@kiln/engine';
import { describe, expect, it } from 'vitest';
import { trainLogistic, trainRidge } from '@kiln/ml/linear';
import evaluate from '../evaluate/model';
import linear from './linear';
import { churn, csv, maxAbsDiff, prepare, runOnnx } from './test-helpers';

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
    const onnx = await runOnnx(p, model);
    expect(maxAbsDiff(onnx.scores, own.predictProba(p.features))).toBeLessThan(1e-5);
    expect(onnx.label).toEqual(Array.from(own.predict(p.features), (v) => BigInt(v)));
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
    const multi = await prepare(
      csv(
        'v,c,band',
        400,
        (i) => `${i % 100},${['x', 'y'][i % 2]},${['low', 'mid', 'high'][Math.floor((i % 100) / 34)]}`,
      ),
      'band',
    );
    const mt = await linear.run(multi.ctx, multi.inputs, linear.params.parse({ maxIterations: 200 }));
    const mm = mt.outputs.model as ModelValue;
    expect(mm).toMatchObject({ task: 'multiclass', classes: ['high', 'low', 'mid'] });
    const own = await trainLogistic(
      { features: multi.features, labels: multi.labels },
      { task: 'multiclass', numClasses: 3, l2: 1, maxIterations: 200 },
    );
    const mo = await runOnnx(multi, mm);
    expect(maxAbsDiff(mo.scores, own.predictProba(multi.features))).toBeLessThan(1e-5);
    expect(mo.label).toEqual(Array.from(own.predict(multi.features), (k) => mm.classes![k]));

    const reg = await prepare(
      csv('v,c,y', 300, (i) => `${(i % 50) / 10},${['a', 'b'][i % 2]},${((i % 50) / 10) * 2 + (i % 2)}`),
      'y',
    );
    const rt = await linear.run(reg.ctx, reg.inputs, linear.params.parse({ alpha: 0.1 }));
    const rm = rt.outputs.model as ModelValue;
    expect(rm).toMatchObject({ task: 'regression', classes: null });
    const ridge = await trainRidge({ features: reg.features, labels: reg.labels }, { l2: 0.1 });
    expect(maxAbsDiff((await runOnnx(reg, rm)).scores, ridge.predict(reg.features))).toBeLessThan(1e-5);
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
    const controller = new AbortController();
    const seen: unknown[] = [];
    const ctx = {
      ...p.ctx,
      signal: controller.signal,
      progress: (d: Record<string, unknown>) => {
        seen.push(d);
        if (seen.length === 2) controller.abort();
      },
    };
    await expect(
      linear.run(ctx, p.inputs, linear.params.parse({ C: 1000, maxIterations: 10_000 })),
    ).rejects.toThrow();
    expect(seen.length).toBeLessThan(5);
  });
});
