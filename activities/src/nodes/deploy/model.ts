import { z } from 'zod';
import { NodeFailure, defineNode } from '../../define-node';
import type { DatasetRef } from '../../data/dataset-ref';
import type { MetricsRef, ModelRef } from '../train/gbdt';
import declaration from './model.decl';

/** The value on a `Deployment` port. */
export interface DeploymentRef {
  name: string;
  model: string;
  version: number;
  strategy: z.output<typeof declaration.params>['strategy'];
  /** How the version serves after the rollout: all traffic, a canary share, or shadow traffic. */
  role: 'primary' | 'canary' | 'shadow';
}

const isModel = (v: unknown): v is ModelRef => !!v && typeof v === 'object' && 'artifact' in v && 'features' in v && 'task' in v;

export default defineNode({
  ...declaration,
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
