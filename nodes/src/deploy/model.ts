import type { DeploymentValue } from '@kiln/engine';
import type { DeploymentRolledOut } from '@kiln/api-types';
import { defineNode } from '../define-node';
import declaration from './model.decl';

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const model = inputs.model;
    const metrics = inputs.metrics?.values ?? {};
    const data = inputs.data;
    const name = p.model ?? p.deployment;
    ctx.progress({ message: `rolling out to ${p.deployment} (${p.strategy})` });
    const result = await ctx.api().request<DeploymentRolledOut>(
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
    const deployment: DeploymentValue = { name: p.deployment, model: name, version, strategy: p.strategy, role };
    return { outputs: { deployment } };
  },
});
