import { deployStrategySchema } from '@kiln/engine';
import { z } from 'zod';
import { declareNode } from '../define-node';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const params = z.strictObject({
  deployment: z.string().regex(NAME).describe('The deployment to roll out to (created on first use); it serves POST /api/v1/deployments/<name>/predict.'),
  model: z.string().regex(NAME).optional().describe('The registered model name the version is filed under (default: the deployment name).'),
  strategy: deployStrategySchema
    .default('replace')
    .describe(
      'replace: the new version takes all traffic; blue-green: it takes all traffic and the old one stays on standby ' +
        'for an instant rollback; canary: it takes canaryPercent of traffic until promoted or rolled back; shadow: it ' +
        'sees a mirrored copy of traffic, its answers logged and discarded. Every strategy loads the version and checks ' +
        'it answers before traffic moves; a failed check leaves the deployment as it was and fails this node.',
    ),
  canaryPercent: z.number().gt(0).max(100).default(10).describe('Share of live traffic the canary takes, in percent.'),
  logSampleRate: z.number().min(0).max(1).optional().describe('Share of requests whose inputs and outputs are logged for monitoring (0–1; default 1).'),
  description: z.string().max(5000).optional().describe('What the model is for (goes on the model card).'),
});

export default declareNode({
  type: 'deploy.model',
  version: 1,
  category: 'deploy',
  capabilities: ['kiln-api'],
  title: 'Deploy model',
  description:
    'Registers the model as the next version in the model registry (with its metrics, lineage and training data ' +
    'for drift monitoring) and rolls it out to a named deployment by a strategy: replace, canary, blue-green or shadow.',
  inputs: {
    model: 'Model',
    metrics: { type: 'Metrics', optional: true, description: 'Its evaluation, recorded in the registry (what champion gates compare with).' },
    data: { type: 'Dataset', optional: true, description: 'The training data: monitor.drift compares production inputs with its statistics.' },
  },
  outputs: { deployment: 'Deployment' },
  params,
});
