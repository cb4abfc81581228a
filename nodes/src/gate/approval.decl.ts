import { z } from 'zod';
import { APPROVAL_NODE_TYPE, DEFAULT_APPROVAL_TIMEOUT_SECONDS, MAX_APPROVAL_TIMEOUT_SECONDS } from '@kiln/engine';
import { declareNode } from '../define-node';

export default declareNode({
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
      .max(MAX_APPROVAL_TIMEOUT_SECONDS)
      .default(DEFAULT_APPROVAL_TIMEOUT_SECONDS)
      .describe('Reject when nobody has decided by then.'),
  }),
});
