import { NodeFailure, defineNode } from '../define-node';
import declaration from './approval.decl';

/**
 * The workflow runs this node itself: it waits, durably and holding no worker, for a person's
 * decision (POST /api/v1/runs/:runId/nodes/:nodeId/approve or /reject, or `kiln approve`).
 */
export default defineNode({
  ...declaration,
  run: async () => {
    throw new NodeFailure('gate.approval runs inside the workflow, never on a worker', { retryable: false });
  },
});
