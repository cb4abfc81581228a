import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import ingest from './ingest/file';
import validate from './validate/tabular';
import featurize from './featurize/tabular';
import train from './train/gbdt';
import evaluate from './evaluate/model';
import gate from './gate/metrics';
import { tempFile, testContext } from './shared/test-context';
import { getJson } from './shared/tabular';
import { portValueProblem } from '@kiln/engine';
import type { NodeDeclaration } from './define-node';

/** What the worker would say of a node's outputs (undefined: they fit their ports' schemas). */
const outputProblem = (def: NodeDeclaration, outputs: Record<string, unknown>) => portValueProblem({ nodeId: 'n', type: def.type }, 'output', def.outputs, outputs);

const CHURN = fileURLToPath(new URL('../../examples/churn/churn.csv', import.meta.url));

describe('the tabular ML nodes on the churn example', () => {
  it('ingest → validate → featurize → train → evaluate → gate', async () => {
    const ctx = testContext();
    const { outputs: i } = await ingest.run(ctx, {}, ingest.params.parse({ uri: CHURN }));
    const ds = i.dataset as DatasetRef;
    expect(ds.rowCount).toBe(2000);
    const v = await validate.run(ctx, { dataset: ds, reference: undefined }, validate.params.parse({ columns: [{ name: 'churned', allowed: [0, 1], notNull: true }] }));
    expect((v.outputs.report as any).summary.passed).toBe(true);
    const f = await featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target: 'churned', drop: ['customer_id'] }));
    const t = await train.run(ctx, f.outputs as any, train.params.parse({}));
    expect(ctx.progressLog.length).toBeGreaterThan(0);
    const e = await evaluate.run(ctx, { model: t.outputs.model, dataset: f.outputs.test }, evaluate.params.parse({}));
    const m = e.outputs.metrics as any;
    expect(m.values.roc_auc).toBeGreaterThan(0.75);
    const g = await gate.run(ctx, { metrics: m, baseline: undefined }, gate.params.parse({ rules: [{ metric: 'roc_auc', op: '>=', value: 0.99 }] }));
    expect(g.skipDownstream?.reason).toMatch(/roc_auc/);
    const report = await getJson<any>(ctx.store, m.report);
    expect(report.predictions.predicted).toHaveLength((f.outputs.test as DatasetRef).rowCount);
    for (const [def, outputs] of [[ingest, i], [validate, v.outputs], [featurize, f.outputs], [train, t.outputs], [evaluate, e.outputs], [gate, g.outputs]] as const) {
      expect(outputProblem(def as NodeDeclaration, outputs)).toBeUndefined();
    }
  });

  async function prepared(csv: string, target: string, extra: Record<string, unknown> = {}) {
    const ctx = testContext();
    const ds = (await ingest.run(ctx, {}, ingest.params.parse({ uri: tempFile('d.csv', csv) }))).outputs.dataset as DatasetRef;
    const f = await featurize.run(ctx, { dataset: ds }, featurize.params.parse({ target, ...extra }));
    return { ctx, f };
  }

  const rows = (n: number, row: (i: number) => string, header: string) =>
    `${header}\n${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;

  it('trains and evaluates multiclass with string labels, and regression', async () => {
    const multi = await prepared(rows(600, (i) => `${i % 100},${['x', 'y'][i % 2]},${['low', 'mid', 'high'][Math.floor((i % 100) / 34)]}`, 'v,c,band'), 'band');
    const t = await train.run(multi.ctx, multi.f.outputs as any, train.params.parse({ numIterations: 30, earlyStoppingRounds: 0 }));
    expect(t.outputs.model).toMatchObject({ task: 'multiclass', classes: ['high', 'low', 'mid'] });
    const e = await evaluate.run(multi.ctx, { model: t.outputs.model, dataset: multi.f.outputs.test }, evaluate.params.parse({ latencyRows: 0 }));
    expect((e.outputs.metrics as any).values.accuracy).toBeGreaterThan(0.95);

    const reg = await prepared(rows(600, (i) => `${i % 50},${['a', 'b'][i % 2]},${(i % 50) * 2 + (i % 2) * 10}.5`, 'v,c,y'), 'y');
    const rt = await train.run(reg.ctx, reg.f.outputs as any, train.params.parse({ numIterations: 200 }));
    expect(rt.outputs.model).toMatchObject({ task: 'regression', classes: null });
    expect(outputProblem(train as NodeDeclaration, rt.outputs)).toBeUndefined();
    expect(outputProblem(train as NodeDeclaration, t.outputs)).toBeUndefined();
    const re = await evaluate.run(reg.ctx, { model: rt.outputs.model, dataset: reg.f.outputs.test }, evaluate.params.parse({ latencyRows: 0 }));
    expect((re.outputs.metrics as any).values.r2).toBeGreaterThan(0.95);
  });

  it('stops training when the signal aborts, after reporting progress', async () => {
    const controller = new AbortController();
    const { ctx, f } = await prepared(rows(2000, (i) => `${i % 97},${(i * 7) % 13},${i % 3 === 0 ? 1 : 0}`, 'a,b,y'), 'y');
    const seen: Record<string, unknown>[] = [];
    const aborting = { ...ctx, signal: controller.signal, progress: (d: Record<string, unknown>) => {
      seen.push(d);
      if (seen.length === 3) controller.abort();
    } };
    await expect(train.run(aborting, f.outputs as any, train.params.parse({ numIterations: 10_000, earlyStoppingRounds: 0 }))).rejects.toThrow();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(10);
    expect(seen[0]).toMatchObject({ iteration: 1, metricName: 'logloss' });
  });
});
