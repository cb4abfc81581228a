import { z } from 'zod';
import { defineNode } from '../../define-node';

export default defineNode({
  type: 'core.noop',
  version: 1,
  category: 'core',
  capabilities: [],
  title: 'No-op',
  description: 'Does nothing: a join point that waits for its upstream nodes.',
  inputs: {},
  outputs: {},
  params: z.strictObject({}),
  run: async () => ({ outputs: {} }),
});
