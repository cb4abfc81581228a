import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import type { DatasetRef } from '../../data/dataset-ref';
import type { MetricsRef, ModelRef } from '../train/gbdt';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const params = z.strictObject({
  deployment: z.string().regex(NAME).describe('The deployment to roll out to (created on first use); it serves POST /api/v1/deployments/<name>/predict.'),
  model: z.string().regex(NAME).optional().describe('The registered model name the version is filed under (default: the deployment name).'),
  strategy: z
    .enum(['replace', 'canary', 'blue-green', 'shadow'])
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

/** The value on a `Deployment` port. */
export interface DeploymentRef {
  name: string;
  model: string;
  version: number;
  strategy: z.output<typeof params>['strategy'];
  /** How the version serves after the rollout: all traffic, a canary share, or shadow traffic. */
  role: 'primary' | 'canary' | 'shadow';
}

const isModel = (v: unknown): v is ModelRef => !!v && typeof v === 'object' && 'artifact' in v && 'features' in v && 'task' in v;

export default defineNode({
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
  run: async (ctx, inputs, p) => {
    if (!isModel(inputs.model)) throw new NodeFailure('input "model" is not a Model value', { type: 'BadInput', retryable: false });
    const model = inputs.model;
    const metrics = (inputs.metrics as MetricsRef | undefined)?.values ?? {};
    const data = inputs.data as DatasetRef | undefined;
    const name = p.model ?? p.deployment;
    ctx.progress({ message: `rolling out to ${p.deployment} (${p.strategy})` });
    const result = await ctx.api().request<{ deployedVersion: number; primaryVersion: number | null; candidateVersion: number | null; candidateMode: 'canary' | 'shadow' | null }>(
      'POST',
      `/deployments/${encodeURIComponent(p.deployment)}/rollouts`,
      {
        model: name,
        strategy: p.strategy,
        ...(p.strategy === 'canary' ? { canaryPercent: p.canaryPercent } : {}),
        ...(p.logSampleRate !== undefined ? { logSampleRate: p.logSampleRate } : {}),
        register: {
          model,
          metrics,
          ...(data ? { reference: { artifact: data.artifact, schema: data.schema, rowCount: data.rowCount, stats: data.stats } } : {}),
          runId: ctx.runId,
          nodeId: ctx.nodeId,
          ...(p.description ? { description: p.description } : {}),
        },
      },
    );
    const version = result.deployedVersion;
    const role = result.primaryVersion === version ? 'primary' : (result.candidateMode ?? 'primary');
    const deployment: DeploymentRef = { name: p.deployment, model: name, version, strategy: p.strategy, role };
    return { outputs: { deployment } };
  },
});
