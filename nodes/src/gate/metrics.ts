import { NodeFailure, defineNode } from '../define-node';
import type { ModelDetail, ModelVersionDetail } from '@kiln/api-types';
import type { KilnApi } from '../platform/kiln-api';
import declaration, { type ops } from './metrics.decl';

type Op = (typeof ops)[number];

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '<':
      return a < b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** The production version of a registered model and its metrics, or null when there is none. */
async function championMetrics(api: KilnApi, model: string): Promise<{ version: number; metrics: ModelVersionDetail['metrics'] } | null> {
  const found = await api.maybe<ModelDetail>(`/models/${encodeURIComponent(model)}`);
  const production = found?.versions.find((v) => v.stage === 'production');
  if (!production) return null;
  const version = await api.request<ModelVersionDetail>('GET', `/models/${encodeURIComponent(model)}/versions/${production.version}`);
  return { version: production.version, metrics: version.metrics };
}

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const values = inputs.metrics.values;
    let base: Record<string, unknown> | undefined = inputs.baseline?.values;
    let champion: { model: string; version: number | null } | undefined;
    if (!base && p.champion) {
      const found = await championMetrics(ctx.api(), p.champion);
      champion = { model: p.champion, version: found?.version ?? null };
      if (found) base = found.metrics;
    }
    const checks = p.rules.map((r) => {
      const actual = values[r.metric];
      const describe = (threshold: number) => `${r.metric} ${actual} ${r.op} ${threshold}`;
      if (typeof actual !== 'number') {
        const message = `metric "${r.metric}" is ${actual === null ? 'null' : 'absent'} (available: ${Object.keys(values).join(', ')})`;
        if (p.missing === 'error') throw new NodeFailure(message, { type: 'BadParams', retryable: false });
        return { ...r, actual: null, passed: false, message };
      }
      if ('baseline' in r) {
        if (!base && champion) return { ...r, actual, passed: true, message: `${r.metric} ${actual}: model "${champion.model}" has no production version yet, nothing to beat` };
        if (!base) throw new NodeFailure(`rule on ${r.metric} compares with the baseline, but no baseline input is connected`, { type: 'BadParams', retryable: false });
        const b = base[r.metric];
        if (typeof b !== 'number') {
          const message = `baseline metric "${r.metric}" is ${b === null ? 'null' : 'absent'}`;
          if (p.missing === 'error') throw new NodeFailure(message, { type: 'BadParams', retryable: false });
          return { ...r, actual, passed: false, message };
        }
        const slack = r.op === '>=' || r.op === '>' ? -r.tolerance : r.op === '<=' || r.op === '<' ? r.tolerance : 0;
        const threshold = b + slack;
        const passed = r.op === '==' || r.op === '!=' ? compare(Math.abs(actual - b) <= r.tolerance ? b : actual, r.op, b) : compare(actual, r.op, threshold);
        return { ...r, actual, baselineValue: b, threshold, passed, message: `${describe(threshold)} (baseline ${b})` };
      }
      const passed = compare(actual, r.op, r.value);
      return { ...r, actual, passed, message: describe(r.value) };
    });
    const failed = checks.filter((c) => !c.passed);
    for (const c of checks) ctx.log.info(`${c.passed ? 'pass' : 'FAIL'}: ${c.message}`);
    ctx.log.info(failed.length === 0 ? 'decision: passed, downstream runs' : `decision: failed (${failed.length} of ${checks.length} rules), downstream is skipped`);
    const decision = { passed: failed.length === 0, checks, ...(champion ? { champion } : {}) };
    if (failed.length > 0) {
      return {
        outputs: { decision },
        skipDownstream: { reason: `metrics gate failed: ${failed.map((c) => c.message).join('; ')}` },
      };
    }
    return { outputs: { decision } };
  },
});
