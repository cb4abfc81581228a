import { z } from 'zod';
import { declareNode } from '../define-node';

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

export default declareNode({
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
});
