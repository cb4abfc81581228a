import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import { quantile, readPredictionLogs } from '../monitor/prediction-logs';
import type { DeploymentRef } from './model';

const params = z.strictObject({
  action: z
    .enum(['promote', 'rollback', 'auto'])
    .default('auto')
    .describe('promote: the canary/shadow version takes all traffic; rollback: drop it; auto: watch it for observeSeconds, then promote when the checks hold and roll back otherwise.'),
  observeSeconds: z.number().int().min(0).max(86_400).default(60).describe('auto: how long to watch the candidate’s traffic before deciding.'),
  minRequests: z.number().int().min(0).default(0).describe('auto: fewest logged candidate predictions needed to promote.'),
  maxLatencyP99Ms: z.number().positive().optional().describe('auto: the candidate’s p99 inference latency must stay under this.'),
  maxDisagreement: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('auto, shadow only: largest share of mirrored requests where the candidate’s prediction differs from the primary’s.'),
});

export default defineNode({
  type: 'deploy.promote',
  version: 1,
  category: 'deploy',
  capabilities: ['kiln-api'],
  title: 'Promote or roll back',
  description:
    'Ends a canary or shadow rollout: promotes the candidate to all traffic or rolls it back, by hand (put a ' +
    'gate.approval before it) or by watching its logged traffic for a while (auto).',
  inputs: { deployment: 'Deployment' },
  outputs: { deployment: 'Deployment', decision: 'Json' },
  params,
  run: async (ctx, inputs, p) => {
    const dep = inputs.deployment as DeploymentRef;
    if (!dep || typeof dep.name !== 'string') throw new NodeFailure('input "deployment" is not a Deployment value', { type: 'BadInput', retryable: false });
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
    return { outputs: { deployment: { ...dep, role: 'primary' } satisfies DeploymentRef, decision } };
  },
});
