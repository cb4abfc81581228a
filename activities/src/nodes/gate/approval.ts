import { z } from 'zod';
import { APPROVAL_NODE_TYPE, DEFAULT_APPROVAL_TIMEOUT_SECONDS } from '@kiln/engine';
import { NodeFailure, defineNode } from '../../define-node';

/**
 * The workflow runs this node itself: it waits, durably and holding no worker, for a person's
 * decision (POST /api/v1/runs/:runId/nodes/:nodeId/approve or /reject, or `kiln approve`).
 */
export default defineNode({
  type: APPROVAL_NODE_TYPE,
  version: 1,
  category: 'gate',
  capabilities: [],
  title: 'Approval',
  description:
    'Waits for a person to approve or reject, with who and a comment. A rejection, or no decision before the ' +
    'timeout, skips everything downstream without failing the run.',
  inputs: {},
  outputs: { decision: 'Json' },
  params: z.strictObject({
    message: z.string().max(2000).optional().describe('What the approver should check.'),
    timeoutSeconds: z
      .number()
      .positive()
      .max(31_536_000)
      .default(DEFAULT_APPROVAL_TIMEOUT_SECONDS)
      .describe('Reject when nobody has decided by then.'),
  }),
  run: async () => {
    throw new NodeFailure('gate.approval runs inside the workflow, never on a worker', { retryable: false });
  },
});
