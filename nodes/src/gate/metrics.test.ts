import { describe, expect, it } from 'vitest';
import { NodeFailure } from '../define-node';
import { testContext } from '../shared/test-context';
import gate from './metrics';

const metrics = (values: Record<string, number | null>) => ({ task: 'binary', values, report: {} });
// Values as the worker would pass them after checking their ports (some tests feed what the check would refuse).
const run = (inputs: { metrics: unknown; baseline?: unknown }, params: unknown) =>
  gate.run(testContext(), { baseline: undefined, ...inputs } as Parameters<typeof gate.run>[1], gate.params.parse(params));

describe('gate.metrics', () => {
  it('passes when every rule holds', async () => {
    const out = await run({ metrics: metrics({ roc_auc: 0.93, rmse: 2 }) }, {
      rules: [
        { metric: 'roc_auc', op: '>=', value: 0.9 },
        { metric: 'rmse', op: '<', value: 3 },
      ],
    });
    expect(out.skipDownstream).toBeUndefined();
    expect(out.outputs.decision).toMatchObject({ passed: true });
  });

  it('skips downstream with the reason when a rule fails (not an error)', async () => {
    const out = await run({ metrics: metrics({ roc_auc: 0.81 }) }, { rules: [{ metric: 'roc_auc', op: '>=', value: 0.9 }] });
    expect(out.skipDownstream).toEqual({ reason: 'metrics gate failed: roc_auc 0.81 >= 0.9' });
    expect(out.outputs.decision).toMatchObject({ passed: false, checks: [{ metric: 'roc_auc', actual: 0.81, passed: false }] });
  });

  it('compares with a baseline within a tolerance', async () => {
    const rules = [{ metric: 'roc_auc', op: '>=', baseline: true, tolerance: 0.01 }];
    const ok = await run({ metrics: metrics({ roc_auc: 0.895 }), baseline: metrics({ roc_auc: 0.9 }) }, { rules });
    expect(ok.skipDownstream).toBeUndefined();
    const worse = await run({ metrics: metrics({ roc_auc: 0.88 }), baseline: metrics({ roc_auc: 0.9 }) }, { rules });
    expect(worse.skipDownstream?.reason).toContain('roc_auc 0.88 >= 0.89');
    await expect(run({ metrics: metrics({ roc_auc: 0.9 }) }, { rules })).rejects.toThrow('no baseline input is connected');
  });

  it('treats an unknown metric as an error by default, or as a failed rule', async () => {
    const error = await run({ metrics: metrics({ roc_auc: 0.9 }) }, { rules: [{ metric: 'rocauc', op: '>=', value: 0.5 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeFailure);
    expect((error as Error).message).toBe('metric "rocauc" is absent (available: roc_auc)');
    const soft = await run({ metrics: metrics({ roc_auc: null }) }, { rules: [{ metric: 'roc_auc', op: '>=', value: 0.5 }], missing: 'fail' });
    expect(soft.skipDownstream?.reason).toContain('metric "roc_auc" is null');
  });

  it('rejects malformed rules in params', () => {
    expect(gate.params.safeParse({ rules: [{ metric: 'x', op: '=>', value: 1 }] }).success).toBe(false);
    expect(gate.params.safeParse({ rules: [] }).success).toBe(false);
  });
});
