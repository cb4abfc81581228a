import { defineNode } from '../define-node';
import declaration from './noop.decl';

export default defineNode({
  ...declaration,
  run: async () => ({ outputs: {} }),
});
