import { type DeploymentValue } from '@kiln/engine';
import { NodeFailure, defineNode } from '../define-node';
import { quantile, readPredictionLogs } from '../monitor/prediction-logs';
import declaration from './promote.decl';

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const dep = inputs.deployment;
    const api = ctx.api();
    const path = `/deployments/${encodeURIComponent(dep.name)}`;
    if (dep.role === 'primary') {
      return { outputs: { deployment: dep, decision: { action: 'none', reason: `version ${dep.version} already serves all traffic` } } };
    }
    let action: 'promote' | 'rollback' = p.action === 'auto' ? 'promote' : p.action;
    const reasons: string[] = [];
    let observed: Record<string, unknown> = {};
    if (p.action === 'auto') {
      const since = new Date();
      const until = Date.now() + p.observeSeconds * 1000;
      while (Date.now() < until) {
        ctx.progress({ message: `watching version ${dep.version} of ${dep.name}`, secondsLeft: Math.ceil((until - Date.now()) / 1000) });
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, until - Date.now()))));
        if (ctx.signal.aborted) throw new NodeFailure('cancelled', { type: 'Cancelled' });
      }
      const window = await readPredictionLogs(api, ctx.store, dep.name, since);
      const mine = window.rows.filter((r) => r.version === dep.version && r.role === dep.role);
      const p99 = quantile(mine.map((r) => r.latencyMs), 0.99);
      observed = { predictions: mine.length, latencyP99Ms: p99 };
      if (mine.length < p.minRequests) reasons.push(`only ${mine.length} predictions (min ${p.minRequests})`);
      if (p.maxLatencyP99Ms !== undefined && p99 !== null && p99 > p.maxLatencyP99Ms) reasons.push(`p99 latency ${p99.toFixed(2)} ms > ${p.maxLatencyP99Ms} ms`);
      if (p.maxDisagreement !== undefined && dep.role === 'shadow') {
        const primary = new Map(window.rows.filter((r) => r.role === 'primary').map((r) => [r.id, r.prediction]));
        const paired = mine.filter((r) => primary.has(r.id));
        const differ = paired.filter((r) => primary.get(r.id) !== r.prediction).length;
        const share = paired.length ? differ / paired.length : 0;
        observed.disagreement = share;
        if (share > p.maxDisagreement) reasons.push(`disagrees with the primary on ${(share * 100).toFixed(1)}% of requests (max ${(p.maxDisagreement * 100).toFixed(1)}%)`);
      }
      if (reasons.length) action = 'rollback';
    }
    await api.request('POST', `${path}/${action}`, action === 'rollback' ? { reason: reasons.join('; ') || 'rolled back by the pipeline' } : undefined);
    const decision = { action, version: dep.version, observed, reasons };
    if (action === 'rollback') {
      return {
        outputs: { deployment: dep, decision },
        skipDownstream: { reason: `version ${dep.version} rolled back${reasons.length ? `: ${reasons.join('; ')}` : ''}` },
      };
    }
    return { outputs: { deployment: { ...dep, role: 'primary' } satisfies DeploymentValue, decision } };
  },
});
