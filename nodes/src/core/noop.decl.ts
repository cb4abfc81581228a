import { z } from 'zod';
import { declareNode } from '../define-node';

export default declareNode({
  type: 'core.noop',
  version: 1,
  category: 'core',
  capabilities: [],
  light: true,
  title: 'No-op',
  description: 'Does nothing: a join point that waits for its upstream nodes.',
  inputs: {},
  outputs: {},
  params: z.strictObject({}),
});
